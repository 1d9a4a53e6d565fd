import { randomUUID } from "node:crypto";
import { z } from "zod";
import { InvalidRequestError, NotFoundError } from "../spec/index.js";
import {
  type ApiKeyLimitsPatch,
  type ApiKeyListQuery,
  type ApiKeyRecord,
  type BudgetPeriod,
  createApiKeyRepository,
  createConsoleSessionRepository,
  type Database,
} from "../store/index.js";
import { apiKeyPrefix, generateApiKey, hashApiKey } from "./api-key-secret.js";
import { currentPeriodStart } from "./budget-period.js";
import { dollarsToNanos } from "./money.js";

export type KeyManagerOptions = {
  database: Database;
  /** Secret of the keyed hash (see `loadKeySecret`). */
  keySecret: string;
  /** Clock. Defaults to `Date.now`. */
  now?: () => number;
  /** Key id generator. Defaults to `crypto.randomUUID`. */
  generateId?: () => string;
};

const budgetPeriodSchema = z.enum(["day", "week", "month", "total"]);
const limit = z.number().int().positive().max(1_000_000_000);
const createKeySchema = z.object({
  name: z.string().trim().min(1).max(200),
  models: z.array(z.string().min(1)).optional(),
  rpm: limit.optional(),
  tpm: limit.optional(),
  maxConcurrentRequests: z.number().int().positive().max(100_000).optional(),
  /** Dollars per period. */
  budget: z.number().nonnegative().max(1e9).optional(),
  budgetPeriod: budgetPeriodSchema.default("month"),
  expiresAt: z.number().int().positive().optional(),
  isAdmin: z.boolean().default(false),
  /** Lets a non-admin key start runs that execute code in the sandbox (admin keys always may). */
  allowCodeExecution: z.boolean().default(false),
  /** The key's guardrail policy by name (checked to exist by the caller). */
  policy: z.string().min(1).optional(),
});
const updateKeySchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  models: z.array(z.string().min(1)).nullable().optional(),
  rpm: limit.nullable().optional(),
  tpm: limit.nullable().optional(),
  maxConcurrentRequests: z.number().int().positive().max(100_000).nullable().optional(),
  budget: z.number().nonnegative().max(1e9).nullable().optional(),
  budgetPeriod: budgetPeriodSchema.optional(),
  expiresAt: z.number().int().positive().nullable().optional(),
  isAdmin: z.boolean().optional(),
  allowCodeExecution: z.boolean().optional(),
  policy: z.string().min(1).nullable().optional(),
});

/** Options of a new key. Limits left out are unlimited. */
export type CreateKeyInput = z.input<typeof createKeySchema>;
/** A limits change: `null` removes a limit, a left-out field stays as it is. */
export type UpdateKeyInput = z.input<typeof updateKeySchema>;

/** A page of keys: search, state, admin filter, sort and paging (see `ApiKeyListQuery`); judged at the manager's clock. */
export type KeyPageQuery = Omit<ApiKeyListQuery, "now" | "periodStarts">;

/** Creating, listing, updating and revoking API keys, and the bootstrap admin key. */
export type KeyManager = ReturnType<typeof createKeyManager>;

export function createKeyManager(options: KeyManagerOptions) {
  const now = options.now ?? Date.now;
  const generateId = options.generateId ?? randomUUID;
  const keys = createApiKeyRepository(options.database);

  async function insertKey(input: z.output<typeof createKeySchema>, key: string): Promise<ApiKeyRecord> {
    const createdAt = now();
    return keys.insert({
      id: generateId(),
      name: input.name,
      prefix: apiKeyPrefix(key),
      hash: hashApiKey(key, options.keySecret),
      isAdmin: input.isAdmin,
      allowCodeExecution: input.allowCodeExecution,
      models: input.models,
      rpm: input.rpm,
      tpm: input.tpm,
      maxConcurrentRequests: input.maxConcurrentRequests,
      budgetNanos: input.budget === undefined ? undefined : dollarsToNanos(input.budget),
      budgetPeriod: input.budgetPeriod,
      periodStart: currentPeriodStart(input.budgetPeriod, createdAt),
      expiresAt: input.expiresAt,
      createdAt,
      policy: input.policy,
    });
  }

  async function requireKey(id: string): Promise<ApiKeyRecord> {
    const record = await keys.get(id);
    if (!record) throw new NotFoundError({ message: `API key ${id} not found`, param: "id" });
    return record;
  }

  return {
    /** Creates a key. The returned `key` is the only time the secret is visible. */
    async create(input: CreateKeyInput): Promise<{ record: ApiKeyRecord; key: string }> {
      const parsed = parseInput(createKeySchema, input);
      assertFutureExpiry(parsed.expiresAt, now());
      const key = generateApiKey();
      return { record: await insertKey(parsed, key), key };
    },

    async list(filter: { includeRevoked?: boolean } = {}): Promise<ApiKeyRecord[]> {
      return keys.list({ includeRevoked: filter.includeRevoked ?? true });
    },

    /** One page of keys and how many match; `spend` sorts by what each key spent in its current budget period. */
    async page(query: KeyPageQuery): Promise<{ records: ApiKeyRecord[]; total: number }> {
      const at = now();
      return keys.page({
        ...query,
        now: at,
        periodStarts: { day: currentPeriodStart("day", at), week: currentPeriodStart("week", at), month: currentPeriodStart("month", at) },
      });
    },

    async get(id: string): Promise<ApiKeyRecord | undefined> {
      return keys.get(id);
    },

    /** A key by id, or by its visible prefix when that is unambiguous. Throws NotFoundError. */
    async resolve(reference: string): Promise<ApiKeyRecord> {
      const byId = await keys.get(reference);
      if (byId) return byId;
      const byPrefix = await keys.findByPrefix(reference);
      if (byPrefix.length === 1 && byPrefix[0]) return byPrefix[0];
      if (byPrefix.length > 1) throw new InvalidRequestError({ message: `prefix ${reference} matches ${byPrefix.length} keys; use the key id` });
      throw new NotFoundError({ message: `API key ${reference} not found` });
    },

    /** Revokes a key (idempotent). Throws NotFoundError for an unknown id. */
    async revoke(id: string): Promise<ApiKeyRecord> {
      await requireKey(id);
      await keys.revoke(id, now());
      await createConsoleSessionRepository(options.database).deleteForKey(id);
      return requireKey(id);
    },

    /**
     * Changes any field settable at creation (name, models, limits, budget and its period, expiry, admin); a changed
     * budget period starts now. Throws NotFoundError for an unknown id.
     */
    async updateLimits(id: string, input: UpdateKeyInput): Promise<ApiKeyRecord> {
      const current = await requireKey(id);
      const patch = parseInput(updateKeySchema, input);
      assertFutureExpiry(patch.expiresAt ?? undefined, now());
      const change: ApiKeyLimitsPatch = {
        name: patch.name,
        models: patch.models,
        rpm: patch.rpm,
        tpm: patch.tpm,
        maxConcurrentRequests: patch.maxConcurrentRequests,
        budgetNanos: patch.budget === undefined ? undefined : patch.budget === null ? null : dollarsToNanos(patch.budget),
        expiresAt: patch.expiresAt,
        isAdmin: patch.isAdmin,
        allowCodeExecution: patch.allowCodeExecution,
        policy: patch.policy,
      };
      if (patch.budgetPeriod !== undefined && patch.budgetPeriod !== current.budgetPeriod) {
        change.budgetPeriod = patch.budgetPeriod;
        change.periodStart = currentPeriodStart(patch.budgetPeriod, now(), current.createdAt);
      }
      await keys.update(id, change);
      return requireKey(id);
    },

    /**
     * Makes sure an admin key exists. With `adminKey` (AIPLUS_ADMIN_KEY) the admin key named `admin` takes that
     * value (created or updated; nothing to print). Otherwise, when no usable admin key exists, one is created and
     * returned in `key` so the caller prints it once.
     */
    async ensureAdminKey(settings: { adminKey?: string | undefined } = {}): Promise<{ record: ApiKeyRecord; key: string | undefined }> {
      const admins = await keys.list({ admin: true, includeRevoked: false });
      if (settings.adminKey !== undefined) {
        const hash = hashApiKey(settings.adminKey, options.keySecret);
        const existing = await keys.findByHash(hash);
        if (existing) {
          if (!existing.record.isAdmin || existing.record.revokedAt !== undefined) {
            await keys.update(existing.record.id, { isAdmin: true });
            await keys.replaceHash(existing.record.id, hash, apiKeyPrefix(settings.adminKey));
          }
          return { record: await requireKey(existing.record.id), key: undefined };
        }
        const named = (await keys.list({ admin: true, name: "admin" }))[0];
        if (named) {
          await keys.replaceHash(named.id, hash, apiKeyPrefix(settings.adminKey));
          return { record: await requireKey(named.id), key: undefined };
        }
        const record = await insertKey(createKeySchema.parse({ name: "admin", isAdmin: true }), settings.adminKey);
        return { record, key: undefined };
      }
      const usable = admins.filter((admin) => admin.expiresAt === undefined || admin.expiresAt > now());
      if (usable[0]) return { record: usable[0], key: undefined };
      const key = generateApiKey();
      return { record: await insertKey(createKeySchema.parse({ name: "admin", isAdmin: true }), key), key };
    },
  };
}

/** A key cannot be given an expiry that has passed already (revoke it instead). */
function assertFutureExpiry(expiresAt: number | undefined, now: number): void {
  if (expiresAt !== undefined && expiresAt <= now) {
    throw new InvalidRequestError({ message: `expires_at must be in the future; got ${new Date(expiresAt).toISOString()}`, param: "expires_at", code: "expiry_in_past" });
  }
}

function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue?.path.join(".") || undefined;
  throw new InvalidRequestError({ message: `invalid ${param ?? "key options"}: ${issue?.message ?? "invalid input"}`, param });
}

export type { BudgetPeriod };
