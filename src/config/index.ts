export { configSchema } from './schema.js';
export type { Config } from './schema.js';
export { CONFIG_FILE_NAME, YAML_PARSE_OPTIONS, loadConfig, validateConfig } from './load.js';
export type { ConfigIssue, LoadConfigOptions, LoadedConfig } from './load.js';
export { ENV_OVERRIDES, applyEnvOverrides } from './env.js';
export type { EnvOverride } from './env.js';
export { DEFAULT_HOME, resolveHome } from './home.js';
export type { HomeLocation } from './home.js';
export { defaultConfigYaml } from './render.js';
