import { type RawBuilder, sql } from "kysely";
import { InvalidRequestError } from "../../spec/errors/index.js";
import type { SearchFilter } from "../types.js";

/** Whether `filter` restricts anything (a search without one need not read `rag_chunks` to choose candidates). */
export function restrictsSearch(filter: SearchFilter | undefined): boolean {
  return filter?.documentIds !== undefined || Object.keys(filter?.metadata ?? {}).length > 0;
}

/** A SQL condition over `rag_chunks` aliased `c` (`true` when there is no filter). Same keys as the SQLite store. */
export function postgresSearchFilter(filter: SearchFilter | undefined): RawBuilder<unknown> {
  const conditions: Array<RawBuilder<unknown>> = [];
  if (filter?.documentIds) conditions.push(sql`c.document_id = any(${filter.documentIds}::text[])`);
  for (const [key, value] of Object.entries(filter?.metadata ?? {})) {
    if (!/^[\w.-]+$/.test(key) || key.includes("..")) {
      throw new InvalidRequestError({ message: `invalid metadata filter key ${JSON.stringify(key)}`, param: "filter.metadata" });
    }
    conditions.push(
      sql`exists (select 1 from rag_documents d where d.knowledge_base_id = c.knowledge_base_id and d.id = c.document_id and d.metadata -> ${key}::text = ${JSON.stringify(value)}::jsonb)`,
    );
  }
  return conditions.length > 0 ? sql.join(conditions, sql` and `) : sql`true`;
}
