export { openState } from './open.js';
export type { OpenStateOptions, State } from './open.js';
export { homeLayout } from './layout.js';
export type { HomeLayout } from './layout.js';
export { ADMIN_TOKEN_META_KEY, hashToken } from './admin-token.js';
export { kekProvider } from './kek.js';
