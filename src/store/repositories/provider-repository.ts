import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { ProviderId } from "../../spec/index.js";
import { InvalidRequestError } from "../../spec/index.js";
import type { ProviderRecord } from "../records.js";
import type { ProvidersTable } from "../schema.js";
import { affectedRows, type DatabaseExecutor, isUniqueViolation } from "./database-executor.js";

export type ProviderRepositoryOptions = {
  /** Clock for `created_at`. Defaults to `Date.now`. */
  now?: () => number;
  /** Id generator. Defaults to `crypto.randomUUID`. */
  generateId?: () => string;
};

export type AddProviderInput = {
  name: string;
  baseUrl: string;
  apiKey?: string | undefined;
  models: string[];
  /** Lower is tried first. Defaults to 100. */
  priority?: number | undefined;
  /** Timeout until the first byte. Defaults to 60000. */
  timeoutMs?: number | undefined;
};

/** A provider change: a left-out field stays as it is; `apiKey: null` removes the key. */
export type UpdateProviderInput = {
  baseUrl?: string | undefined;
  apiKey?: string | null | undefined;
  models?: string[] | undefined;
  priority?: number | undefined;
  timeoutMs?: number | undefined;
};

const modelListSchema = z.array(z.string());

/** Registered upstream OpenAI-compatible providers, unique by name. */
export type ProviderRepository = ReturnType<typeof createProviderRepository>;

export function createProviderRepository(database: DatabaseExecutor, options: ProviderRepositoryOptions = {}) {
  const now = options.now ?? Date.now;
  const generateId = options.generateId ?? randomUUID;
  return {
    /** Registers a provider; throws InvalidRequestError when the name is taken. */
    async add(input: AddProviderInput): Promise<ProviderRecord> {
      const alreadyExists = () => new InvalidRequestError({ message: `provider ${input.name} already exists`, param: "name" });
      if (await this.get(input.name)) throw alreadyExists();
      const row: ProvidersTable = {
        id: generateId(),
        name: input.name,
        base_url: input.baseUrl,
        api_key: input.apiKey ?? null,
        models: JSON.stringify(input.models),
        priority: input.priority ?? 100,
        timeout_ms: input.timeoutMs ?? 60_000,
        created_at: now(),
      };
      try {
        await database.db.insertInto("providers").values(row).execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw alreadyExists();
        throw error;
      }
      return toProviderRecord(row);
    },

    /** Every provider, by priority then name. */
    async list(): Promise<ProviderRecord[]> {
      const rows = await database.db.selectFrom("providers").selectAll().orderBy("priority").orderBy("name").execute();
      return rows.map(toProviderRecord);
    },

    async get(name: string): Promise<ProviderRecord | undefined> {
      const row = await database.db.selectFrom("providers").selectAll().where("name", "=", name).executeTakeFirst();
      return row ? toProviderRecord(row) : undefined;
    },

    /** A provider by name, else by id. */
    async find(nameOrId: string): Promise<ProviderRecord | undefined> {
      const byName = await this.get(nameOrId);
      if (byName) return byName;
      const row = await database.db.selectFrom("providers").selectAll().where("id", "=", nameOrId).executeTakeFirst();
      return row ? toProviderRecord(row) : undefined;
    },

    /** Changes a provider (by name or id); undefined when there is none. */
    async update(nameOrId: string, input: UpdateProviderInput): Promise<ProviderRecord | undefined> {
      const current = await this.find(nameOrId);
      if (!current) return undefined;
      const changes: Partial<ProvidersTable> = {};
      if (input.baseUrl !== undefined) changes.base_url = input.baseUrl;
      if (input.apiKey !== undefined) changes.api_key = input.apiKey;
      if (input.models !== undefined) changes.models = JSON.stringify(input.models);
      if (input.priority !== undefined) changes.priority = input.priority;
      if (input.timeoutMs !== undefined) changes.timeout_ms = input.timeoutMs;
      if (Object.keys(changes).length > 0) await database.db.updateTable("providers").set(changes).where("id", "=", current.id).execute();
      return this.find(current.id);
    },

    /** Removes a provider; false when there was none by that name. */
    async remove(name: string): Promise<boolean> {
      const result = await database.db.deleteFrom("providers").where("name", "=", name).executeTakeFirst();
      return affectedRows(result) > 0;
    },
  };
}

function toProviderRecord(row: ProvidersTable): ProviderRecord {
  return {
    id: row.id as ProviderId,
    name: row.name,
    baseUrl: row.base_url,
    apiKey: row.api_key ?? undefined,
    models: modelListSchema.parse(JSON.parse(row.models)),
    priority: Number(row.priority),
    timeoutMs: Number(row.timeout_ms),
    createdAt: Number(row.created_at),
  };
}
