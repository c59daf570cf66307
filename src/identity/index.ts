export { AccessControl, decideByRole, decisionEvent } from './access.js';
export type { AuditSink, Decision, DecisionContext, RecordedDecision, Resource } from './access.js';
export { Authenticator } from './authenticate.js';
export type {
  Authenticated,
  AuthenticatorOptions,
  BearerJwtVerifier,
  Credentials,
} from './authenticate.js';
export { conflictOfInterest } from './duties.js';
export { checkPrincipalName, parseRoles } from './names.js';
export { openIdentity } from './open.js';
export type { Identity } from './open.js';
export {
  addPrincipal,
  disablePrincipal,
  findPrincipal,
  getPrincipal,
  listPrincipals,
  ownedServiceAccounts,
} from './principals.js';
export type { NewPrincipal, Principal, PrincipalRecord } from './principals.js';
export { accessReview } from './review.js';
export type { AccessReviewEntry } from './review.js';
export { ACTIONS, isRole, PERMISSIONS, ROLES, rolesFor } from './roles.js';
export type { Action, Role } from './roles.js';
export {
  ADMIN_TOKEN_ID,
  createToken,
  listTokens,
  parseLifetime,
  resolveToken,
  revokeToken,
} from './tokens.js';
export type { CreatedToken, TokenRecord, TokenResolution } from './tokens.js';
// OIDC, local CA and mTLS identity (helper A)
export { createJwtVerifier, looksLikeJwt } from './oidc.js';
export type {
  JwtRefusal,
  JwtVerifier,
  JwtVerifierOptions,
  OidcSettings,
  VerifiedJwt,
} from './oidc.js';
export {
  MAX_CA_DAYS,
  MAX_CERTIFICATE_HOURS,
  createCertificateAuthority,
  issueCertificate,
} from './certificates.js';
export type { CertificateRequest, PemPair } from './certificates.js';
export {
  CERTIFICATE_PRINCIPAL,
  PRINCIPAL_URI_PREFIX,
  TRUST_DOMAIN,
  certificatePrincipal,
  principalUri,
} from './mtls.js';
