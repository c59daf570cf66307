export { EmbeddedModelServer } from './server.js';
export type { ModelServerOptions } from './server.js';
