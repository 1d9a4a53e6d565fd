import type { DatabaseExecutor } from "./database-executor.js";

/** Largest part of a stored blob: contents are cut into parts of this size (1 MiB). */
export const storedBlobPartBytes = 1 << 20;

/** Parts written per INSERT (each up to 1 MiB: keeps one statement's size moderate). */
const partsPerInsert = 4;

/** Ids per `where … in (…)` (far below SQLite's and PostgreSQL's bound-parameter limits). */
const idsPerQuery = 200;

/** What a blob was stored for (`knowledge.upload`, `eval.dataset`), kept for inspection. */
export type StoredBlobPurpose = "knowledge.upload" | "eval.dataset";

/**
 * Byte contents in the database (migration 0027: `stored_blobs` and `stored_blob_parts`), so that every instance on
 * one database reads what any of them stored. A content is cut into parts of at most {@link storedBlobPartBytes}.
 * Pass `{ db: transaction }` to store a blob atomically with other writes.
 */
export function createStoredBlobRepository(database: DatabaseExecutor) {
  const { db } = database;
  return {
    /** Stores `bytes` under `id` (header and parts in one transaction unless the caller's executor is one). */
    async put(id: string, purpose: StoredBlobPurpose, bytes: Uint8Array, at: number): Promise<void> {
      const partCount = Math.ceil(bytes.byteLength / storedBlobPartBytes);
      const write = async (executor: DatabaseExecutor["db"]) => {
        await executor.insertInto("stored_blobs").values({ id, purpose, byte_count: bytes.byteLength, part_count: partCount, created_at: at }).execute();
        for (let first = 0; first < partCount; first += partsPerInsert) {
          const rows = [];
          for (let index = first; index < Math.min(partCount, first + partsPerInsert); index++) {
            const part = bytes.subarray(index * storedBlobPartBytes, (index + 1) * storedBlobPartBytes);
            rows.push({ blob_id: id, part_index: index, bytes: Buffer.from(part.buffer, part.byteOffset, part.byteLength) });
          }
          await executor.insertInto("stored_blob_parts").values(rows).execute();
        }
      };
      if (db.isTransaction) await write(db);
      else await db.transaction().execute((transaction) => write(transaction));
    },

    /** The content of a blob, or undefined when there is none (never stored, or removed). */
    async read(id: string): Promise<Buffer | undefined> {
      const header = await db.selectFrom("stored_blobs").select(["byte_count", "part_count"]).where("id", "=", id).executeTakeFirst();
      if (!header) return undefined;
      const parts: Buffer[] = [];
      // Part by part: a large content never needs all its rows in one result.
      for (let index = 0; index < Number(header.part_count); index++) {
        const row = await db.selectFrom("stored_blob_parts").select("bytes").where("blob_id", "=", id).where("part_index", "=", index).executeTakeFirst();
        if (!row) throw new Error(`stored blob ${id} lacks its part ${index} of ${header.part_count}`);
        parts.push(Buffer.from(row.bytes));
      }
      const content = Buffer.concat(parts);
      if (content.byteLength !== Number(header.byte_count)) throw new Error(`stored blob ${id} has ${content.byteLength} bytes, not the ${header.byte_count} recorded`);
      return content;
    },

    /** Which of `ids` are stored. */
    async existing(ids: string[]): Promise<Set<string>> {
      const found = new Set<string>();
      const unique = [...new Set(ids)];
      for (let first = 0; first < unique.length; first += idsPerQuery) {
        const rows = await db.selectFrom("stored_blobs").select("id").where("id", "in", unique.slice(first, first + idsPerQuery)).execute();
        for (const row of rows) found.add(row.id);
      }
      return found;
    },

    /** Removes blobs (parts first); ids not stored are ignored. */
    async remove(ids: string[]): Promise<void> {
      const unique = [...new Set(ids)];
      for (let first = 0; first < unique.length; first += idsPerQuery) {
        const slice = unique.slice(first, first + idsPerQuery);
        const remove = async (executor: DatabaseExecutor["db"]) => {
          await executor.deleteFrom("stored_blob_parts").where("blob_id", "in", slice).execute();
          await executor.deleteFrom("stored_blobs").where("id", "in", slice).execute();
        };
        if (db.isTransaction) await remove(db);
        else await db.transaction().execute((transaction) => remove(transaction));
      }
    },
  };
}

export type StoredBlobRepository = ReturnType<typeof createStoredBlobRepository>;
