export { loadConfig, type LoadConfigOptions } from "./load-config.js";
export { configSchema, type Config, type ConfigInput } from "./schema.js";
