import { z } from "zod";
import { ConflictError, InternalError, InvalidRequestError } from "../spec/index.js";
import { affectedRows, type DatabaseExecutor, isUniqueViolation } from "../store/index.js";
import { type AgentDefinition, agentDefinitionSchema } from "./agent-definition-schema.js";
import type { AgentRecord, AgentVersion, Page, PageQuery } from "./types.js";

export type AgentRepositoryOptions = {
  /** Clock in milliseconds. Defaults to `Date.now`. */
  now?: (() => number) | undefined;
};

type AgentRow = { id: string; name: string; owner_id: string; latest_version: number; created_at: number | string; updated_at: number | string };

/** Agents and their immutable versions (SQLite or PostgreSQL). Access control is the service's; this is storage. */
export type AgentRepository = ReturnType<typeof createAgentRepository>;

export function createAgentRepository(database: DatabaseExecutor, options: AgentRepositoryOptions = {}) {
  const now = options.now ?? Date.now;
  const live = () => database.db.selectFrom("agents").select(["id", "name", "owner_id", "latest_version", "created_at", "updated_at"]).where("deleted_at", "is", null);
  const nameTaken = (name: string, cause: unknown) =>
    new ConflictError({ message: `an agent named '${name}' already exists; update it (POST /v1/agents/{id}) or import the file to add a version`, param: "name", code: "agent_exists", cause });

  return {
    /** Creates an agent at version 1; ConflictError `agent_exists` when the owner has a live agent of that name. */
    async create(entry: { id: string; ownerId: string; definition: AgentDefinition }): Promise<{ agent: AgentRecord; version: AgentVersion }> {
      const at = now();
      try {
        await database.db.transaction().execute(async (transaction) => {
          await transaction.insertInto("agents").values({ id: entry.id, name: entry.definition.name, owner_id: entry.ownerId, latest_version: 1, created_at: at, updated_at: at, deleted_at: null }).execute();
          await transaction.insertInto("agent_versions").values({ agent_id: entry.id, version: 1, definition: JSON.stringify(entry.definition), created_at: at }).execute();
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw nameTaken(entry.definition.name, error);
        throw error;
      }
      const agent: AgentRecord = { id: entry.id, name: entry.definition.name, ownerId: entry.ownerId, latestVersion: 1, createdAt: at, updatedAt: at };
      return { agent, version: { agentId: entry.id, version: 1, definition: entry.definition, createdAt: at } };
    },

    /**
     * Adds the next version (the definition may rename the agent); undefined when the agent is gone. Concurrent updates
     * each get their own version number (a lost race retries).
     */
    async addVersion(agentId: string, definition: AgentDefinition): Promise<{ agent: AgentRecord; version: AgentVersion } | undefined> {
      for (;;) {
        const current = await live().where("id", "=", agentId).executeTakeFirst();
        if (!current) return undefined;
        const version = current.latest_version + 1;
        const at = now();
        try {
          const won = await database.db.transaction().execute(async (transaction) => {
            const moved = await transaction
              .updateTable("agents")
              .set({ latest_version: version, name: definition.name, updated_at: at })
              .where("id", "=", agentId)
              .where("latest_version", "=", current.latest_version)
              .where("deleted_at", "is", null)
              .executeTakeFirst();
            if (affectedRows(moved) === 0) return false;
            await transaction.insertInto("agent_versions").values({ agent_id: agentId, version, definition: JSON.stringify(definition), created_at: at }).execute();
            return true;
          });
          if (!won) continue;
        } catch (error) {
          if (isUniqueViolation(error)) throw nameTaken(definition.name, error);
          throw error;
        }
        const agent = { ...toRecord(current), name: definition.name, latestVersion: version, updatedAt: at };
        return { agent, version: { agentId, version, definition, createdAt: at } };
      }
    },

    /** A live agent by id. */
    async get(id: string): Promise<AgentRecord | undefined> {
      const row = await live().where("id", "=", id).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },

    /** Live agents whose id or name is `reference` (names are unique per owner, so several owners may share one). */
    async find(reference: string): Promise<AgentRecord[]> {
      const rows = await live().where((where) => where.or([where("id", "=", reference), where("name", "=", reference)])).execute();
      return rows.map(toRecord);
    },

    /** The live agent `ownerId` has under `name`. */
    async findByName(ownerId: string, name: string): Promise<AgentRecord | undefined> {
      const row = await live().where("owner_id", "=", ownerId).where("name", "=", name).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },

    /** One version of an agent, deleted or not (runs that named it still resolve). */
    async getVersion(agentId: string, version: number): Promise<AgentVersion | undefined> {
      const row = await database.db.selectFrom("agent_versions").selectAll().where("agent_id", "=", agentId).where("version", "=", version).executeTakeFirst();
      return row ? toVersion(row) : undefined;
    },

    /** A page of live agents, oldest or newest first; `ownerId` undefined lists every owner's. */
    async list(ownerId: string | undefined, query: PageQuery): Promise<Page<AgentRecord>> {
      let page = live();
      if (ownerId !== undefined) page = page.where("owner_id", "=", ownerId);
      if (query.after !== undefined) {
        const anchor = await database.db.selectFrom("agents").select(["created_at", "id"]).where("id", "=", query.after).executeTakeFirst();
        if (!anchor) throw new InvalidRequestError({ message: `No agent with id '${query.after}'.`, param: "after" });
        const comparison = query.order === "asc" ? ">" : "<";
        page = page.where((where) => where.or([where("created_at", comparison, anchor.created_at), where.and([where("created_at", "=", anchor.created_at), where("id", comparison, anchor.id)])]));
      }
      const rows = await page.orderBy("created_at", query.order).orderBy("id", query.order).limit(query.limit + 1).execute();
      return { items: rows.slice(0, query.limit).map(toRecord), hasMore: rows.length > query.limit };
    },

    /** A page of an agent's versions, by version number. */
    async listVersions(agentId: string, query: Omit<PageQuery, "after"> & { after?: number | undefined }): Promise<Page<AgentVersion>> {
      let page = database.db.selectFrom("agent_versions").selectAll().where("agent_id", "=", agentId);
      if (query.after !== undefined) page = page.where("version", query.order === "asc" ? ">" : "<", query.after);
      const rows = await page.orderBy("version", query.order).limit(query.limit + 1).execute();
      return { items: rows.slice(0, query.limit).map(toVersion), hasMore: rows.length > query.limit };
    },

    /** Marks an agent deleted (its name is free again) and deletes its memory; false when it is already gone. */
    async remove(id: string): Promise<boolean> {
      return database.db.transaction().execute(async (transaction) => {
        const result = await transaction.updateTable("agents").set({ deleted_at: now() }).where("id", "=", id).where("deleted_at", "is", null).executeTakeFirst();
        if (affectedRows(result) === 0) return false;
        await transaction.deleteFrom("memory_blocks").where("agent_id", "=", id).execute();
        return true;
      });
    },
  };
}

function toRecord(row: AgentRow): AgentRecord {
  return { id: row.id, name: row.name, ownerId: row.owner_id, latestVersion: Number(row.latest_version), createdAt: Number(row.created_at), updatedAt: Number(row.updated_at) };
}

function toVersion(row: { agent_id: string; version: number; definition: string; created_at: number | string }): AgentVersion {
  return { agentId: row.agent_id, version: Number(row.version), definition: parseStoredDefinition(row.definition), createdAt: Number(row.created_at) };
}

function parseStoredDefinition(text: string): AgentDefinition {
  const parsed = z.string().transform((value) => JSON.parse(value) as unknown).pipe(agentDefinitionSchema).safeParse(text);
  if (!parsed.success) throw new InternalError({ message: `agent_versions.definition is malformed: ${parsed.error.issues[0]?.message ?? "invalid"}` });
  return parsed.data;
}
