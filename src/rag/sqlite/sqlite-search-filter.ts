import { InvalidRequestError } from "../../spec/errors/index.js";
import type { SearchFilter } from "../types.js";

/** A SQL condition over `rag_chunks` aliased `c`, with its parameters. `1` when there is no filter. */
export function sqliteSearchFilter(filter: SearchFilter | undefined): { sql: string; parameters: unknown[] } {
  const conditions: string[] = [];
  const parameters: unknown[] = [];
  if (filter?.documentIds) {
    conditions.push("c.document_id IN (SELECT value FROM json_each(?))");
    parameters.push(JSON.stringify(filter.documentIds));
  }
  for (const [key, value] of Object.entries(filter?.metadata ?? {})) {
    if (!/^[\w.-]+$/.test(key) || key.includes("..")) {
      throw new InvalidRequestError({ message: `invalid metadata filter key ${JSON.stringify(key)}`, param: "filter.metadata" });
    }
    conditions.push(
      "EXISTS (SELECT 1 FROM rag_documents d WHERE d.knowledge_base_id = c.knowledge_base_id AND d.id = c.document_id AND json_extract(d.metadata_json, ?) = ?)",
    );
    parameters.push(`$."${key}"`, typeof value === "boolean" ? Number(value) : value);
  }
  return { sql: conditions.length > 0 ? conditions.join(" AND ") : "1", parameters };
}
