import type { InstancesTable } from "../schema.js";
import { affectedRows, type DatabaseExecutor } from "./database-executor.js";

/** A running server or CLI process that writes to the ledger. */
export type InstanceRecord = {
  id: string;
  kind: "server" | "cli";
  pid: number;
  hostname: string;
  startedAt: number;
  heartbeatAt: number;
};

/** Live ledger writers and their heartbeats. */
export type InstanceRepository = ReturnType<typeof createInstanceRepository>;

export function createInstanceRepository(database: DatabaseExecutor) {
  return {
    async insert(instance: InstanceRecord): Promise<void> {
      await database.db
        .insertInto("instances")
        .values({
          id: instance.id,
          kind: instance.kind,
          pid: instance.pid,
          hostname: instance.hostname,
          started_at: instance.startedAt,
          heartbeat_at: instance.heartbeatAt,
        })
        .execute();
    },

    /** Refreshes a heartbeat; false when the row is gone. */
    async heartbeat(id: string, at: number): Promise<boolean> {
      const result = await database.db.updateTable("instances").set({ heartbeat_at: at }).where("id", "=", id).executeTakeFirst();
      return affectedRows(result) > 0;
    },

    async get(id: string): Promise<InstanceRecord | undefined> {
      const row = await database.db.selectFrom("instances").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toInstanceRecord(row) : undefined;
    },

    async list(): Promise<InstanceRecord[]> {
      const rows = await database.db.selectFrom("instances").selectAll().orderBy("started_at").execute();
      return rows.map(toInstanceRecord);
    },

    async remove(id: string): Promise<boolean> {
      const result = await database.db.deleteFrom("instances").where("id", "=", id).executeTakeFirst();
      return affectedRows(result) > 0;
    },
  };
}

function toInstanceRecord(row: InstancesTable): InstanceRecord {
  return {
    id: row.id,
    kind: row.kind === "cli" ? "cli" : "server",
    pid: Number(row.pid),
    hostname: row.hostname,
    startedAt: Number(row.started_at),
    heartbeatAt: Number(row.heartbeat_at),
  };
}
