export { openDatabase, type Database, type DatabaseDialect } from "./database.js";
export type * from "./schema.js";
export type * from "./records.js";
export * from "./repositories/index.js";
