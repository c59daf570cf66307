export { CachedAuthenticator } from './auth-cache.js';
export { addGrants, hasGrant, listGrants, parseVerbs, revokeGrants, VERBS } from './grants.js';
export type { Grant, Verb } from './grants.js';
export type {
  Datatype,
  InferRequest,
  InferResponse,
  ModelMetadata,
  OipError,
  Tensor,
  TensorMetadata,
} from './oip/types.js';
export { DATATYPES } from './oip/types.js';
// Canary deployments with automatic rollback (helper 7C)
export { CanaryController, CONTROLLER_ACTOR } from './canary/controller.js';
export type { CanaryControllerOptions, RequestOutcome } from './canary/controller.js';
export { DEPLOYMENT_STATES, listDeployments, readDeployment } from './canary/deployments.js';
export type { Deployment, DeploymentState } from './canary/deployments.js';
export {
  abortDeployment,
  deploymentStatus,
  resetDeployment,
  servedModel,
  startDeployment,
} from './canary/operations.js';
export type { ServedModel } from './canary/operations.js';
export { pick } from './canary/pick.js';
export { DEFAULT_STEPS, parseSteps } from './canary/steps.js';
// Inference gateway data path (helper 7B)
export { startGateway } from './gateway/server.js';
export type {
  GatewayOptions,
  GatewayTls,
  Router,
  RouteResult,
  RunningGateway,
  Upstream,
} from './gateway/types.js';
export { memoryLimitBackend } from './gateway/limits.js';
export type { LimitBackend, LimitDecision } from './gateway/limits.js';
export { jsonDepth, parseJsonLimited } from './oip/json.js';
export type { JsonParseResult } from './oip/json.js';
export { validateInferRequest, validateInferResponse } from './oip/validate.js';
export type { Validated, ValidationLimits } from './oip/validate.js';
// Embedded ONNX model server and the OIP tensor codec (helper 7A)
export { EmbeddedModelServer } from './model-server/index.js';
export type { ModelServerOptions } from './model-server/index.js';
export {
  DEFAULT_CODEC_LIMITS,
  datatypeOfOrt,
  elementCount,
  flattenData,
  fromOrtTensor,
  ortTypeOf,
  toOrtTensor,
} from './oip/codec.js';
export type { CodecLimits, TensorInput } from './oip/codec.js';
export { ServedModels } from './served-models.js';
export type { CanaryView, ModelHost, ServedModelsOptions } from './served-models.js';
export { startServing } from './runtime.js';
export type { RunningServing, ServingOptions } from './runtime.js';
export { DEMO_MODEL, seedDemo } from './demo.js';
export type { DemoSeed } from './demo.js';
export { DEMO_DATASET } from './demo-train.js';
export type { DemoTraining } from './demo-train.js';
