export { createControlPlane } from './app.js';
export type { ControlPlaneOptions, ReadinessCheck } from './app.js';
export { MAX_AUDIT_BODY_BYTES } from './audit-routes.js';
export type { AuditService } from './audit-routes.js';
export { listen } from './listen.js';
export type { RunningServer, TlsOptions } from './listen.js';
export { peerPrincipal, readTlsFiles } from './tls.js';
export type { TlsFiles } from './tls.js';
export { statusFor } from './http-errors.js';
