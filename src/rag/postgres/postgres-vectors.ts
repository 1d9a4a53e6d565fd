import { type Kysely, sql } from "kysely";
import { ServiceUnavailableError } from "../../spec/errors/index.js";
import type { DatabaseSchema } from "../../store/index.js";

/** Most dimensions pgvector's HNSW indexes `vector` with; larger generations are searched by an exact scan. */
export const hnswMaxDimensions = 2000;

/** The partial HNSW index of one generation's vectors. */
export function hnswIndexName(generationId: number): string {
  if (!Number.isSafeInteger(generationId) || generationId <= 0) throw new RangeError(`bad generation id ${generationId}`);
  return `rag_chunks_embedding_${generationId}`;
}

/** Chunks a generation holds before its HNSW index is built (default of the store's `vectorIndexMinimumChunks`). */
export const defaultVectorIndexMinimumChunks = 10_000;

/** Second key of the session advisory lock that one index build per generation holds ("hnsw"). */
const indexBuildNamespace = 0x686e7377;

/**
 * Builds the HNSW index of a generation that has none yet (`CREATE INDEX CONCURRENTLY`: writers and readers go on
 * meanwhile). One build per generation across instances (a session advisory lock; a build already running elsewhere
 * is left to finish), an invalid index left by a build that died is dropped and built again, and a retired
 * generation gets none. Resolves `true` once a valid index exists, `false` when another session is building it.
 */
export async function buildVectorIndex(db: Kysely<DatabaseSchema>, generationId: number, dimensions: number): Promise<boolean> {
  const name = hnswIndexName(generationId);
  return db.connection().execute(async (connection) => {
    const locked = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${indexBuildNamespace}, ${generationId}::integer) as locked`.execute(connection);
    if (!locked.rows[0]?.locked) return false;
    try {
      const existing = await sql<{ valid: boolean }>`select i.indisvalid as valid from pg_index i
        where i.indexrelid = to_regclass(${name})`.execute(connection);
      if (existing.rows[0]?.valid) return true;
      if (existing.rows.length > 0) await sql`drop index concurrently if exists ${sql.id(name)}`.execute(connection);
      const generation = await sql<{ status: string }>`select status from rag_generations where id = ${generationId}`.execute(connection);
      if (generation.rows[0] === undefined || generation.rows[0].status === "retired") return false;
      await sql`create index concurrently if not exists ${sql.id(name)} on rag_chunks
        using hnsw ((embedding::vector(${sql.lit(dimensions)})) vector_cosine_ops) where generation_id = ${sql.lit(generationId)}`.execute(connection);
      return true;
    } finally {
      await sql`select pg_advisory_unlock(${indexBuildNamespace}, ${generationId}::integer)`.execute(connection);
    }
  });
}

/** pgvector's text form of a vector: `[1,2,3]`. */
export function toVectorText(vector: Float32Array): string {
  return `[${vector.join(",")}]`;
}

/** A vector from pgvector's text form. */
export function fromVectorText(text: string): Float32Array {
  const inner = text.trim().slice(1, -1);
  return new Float32Array(inner.length === 0 ? [] : inner.split(",").map(Number));
}

/**
 * Makes sure `rag_chunks.embedding` exists: migration 0026 adds it when the server offers pgvector; a server that got
 * pgvector later gets it here. Fails with the installation hint when pgvector is missing.
 */
export async function ensureVectorColumn(db: Kysely<DatabaseSchema>): Promise<void> {
  const column = await sql<{ present: boolean }>`select exists (
      select 1 from information_schema.columns where table_schema = current_schema() and table_name = 'rag_chunks' and column_name = 'embedding'
    ) as present`.execute(db);
  if (column.rows[0]?.present) return;
  const vector = await sql<{ installed: boolean; creatable: boolean }>`select
      exists (select 1 from pg_extension where extname = 'vector') as installed,
      exists (select 1 from pg_available_extensions where name = 'vector') and (select rolsuper from pg_roles where rolname = current_user) as creatable`.execute(db);
  const { installed, creatable } = vector.rows[0] ?? { installed: false, creatable: false };
  if (!installed && !creatable) {
    throw new ServiceUnavailableError({
      message:
        "the PostgreSQL knowledge store needs the pgvector extension (0.8 or later) in the database: install it on the server and run " +
        "`CREATE EXTENSION vector` as a superuser (see the README's scale-out section)",
      code: "vector_extension_missing",
      retryAfterSeconds: 60,
    });
  }
  if (!installed) await sql`create extension if not exists vector`.execute(db);
  await sql`alter table rag_chunks add column if not exists embedding vector not null`.execute(db);
}
