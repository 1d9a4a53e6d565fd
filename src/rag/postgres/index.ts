export { PostgresKnowledgeStore, type PostgresKnowledgeStoreOptions } from "./postgres-knowledge-store.js";
