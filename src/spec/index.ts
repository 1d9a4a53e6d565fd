export type * from "./call-options.js";
export type * from "./embedding-model.js";
export type * from "./ids.js";
export type * from "./language-model.js";
export type * from "./messages.js";
export type * from "./stream-part.js";
export type * from "./usage.js";
export * from "./errors/index.js";
export { modelNameKey, sameModelName } from "./model-name.js";
