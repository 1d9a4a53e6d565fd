import type { GuardrailPoliciesTable } from "../schema.js";
import { affectedRows, type DatabaseExecutor, isUniqueViolation } from "./database-executor.js";

/** One stored version of a named guardrail policy. */
export type GuardrailPolicyRecord = {
  name: string;
  version: number;
  /** JSON of the validated policy. */
  document: string;
  /** The policy file as given. */
  source: string;
  createdBy: string | undefined;
  createdAt: number;
  removedAt: number | undefined;
};

/** A policy name's current version and how many versions it has had. */
export type GuardrailPolicySummary = GuardrailPolicyRecord & { versions: number };

/**
 * Named, versioned guardrail policies: setting a name adds its next version (versions keep counting after a name was
 * removed and set again, so an audit entry's `name@version` always means one document); removing a name hides every
 * version of it.
 */
export type GuardrailPolicyRepository = ReturnType<typeof createGuardrailPolicyRepository>;

export function createGuardrailPolicyRepository(database: DatabaseExecutor) {
  const current = () => database.db.selectFrom("guardrail_policies").selectAll().where("removed_at", "is", null);
  return {
    /** Adds the next version of `name` (version 1 for a new name). */
    async add(policy: { name: string; document: string; source: string; createdBy: string | undefined; createdAt: number }): Promise<GuardrailPolicyRecord> {
      for (let attempt = 0; ; attempt += 1) {
        const last = await database.db
          .selectFrom("guardrail_policies")
          .select((eb) => eb.fn.max("version").as("version"))
          .where("name", "=", policy.name)
          .executeTakeFirst();
        const row: GuardrailPoliciesTable = {
          name: policy.name,
          version: Number(last?.version ?? 0) + 1,
          document: policy.document,
          source: policy.source,
          created_by: policy.createdBy ?? null,
          created_at: policy.createdAt,
          removed_at: null,
        };
        try {
          await database.db.insertInto("guardrail_policies").values(row).execute();
          // A name set again after its removal: its old versions stay removed, the new one is current.
          return toRecord(row);
        } catch (error) {
          // Two writers took the same version: the loser takes the next one.
          if (!isUniqueViolation(error) || attempt >= 5) throw error;
        }
      }
    },

    /** The current (latest, not removed) version of `name`. */
    async current(name: string): Promise<GuardrailPolicyRecord | undefined> {
      const row = await current().where("name", "=", name).orderBy("version", "desc").limit(1).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },

    /** The current versions of several names in one query (names without one are left out). */
    async currentMany(names: readonly string[]): Promise<Map<string, GuardrailPolicyRecord>> {
      const found = new Map<string, GuardrailPolicyRecord>();
      if (names.length === 0) return found;
      const rows = await current().where("name", "in", [...new Set(names)]).orderBy("version", "asc").execute();
      for (const row of rows) found.set(row.name, toRecord(row));
      return found;
    },

    /** One version, removed or not. */
    async version(name: string, version: number): Promise<GuardrailPolicyRecord | undefined> {
      const row = await database.db.selectFrom("guardrail_policies").selectAll().where("name", "=", name).where("version", "=", version).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },

    /** Every version of `name`, newest first (removed ones included). */
    async versions(name: string): Promise<GuardrailPolicyRecord[]> {
      const rows = await database.db.selectFrom("guardrail_policies").selectAll().where("name", "=", name).orderBy("version", "desc").execute();
      return rows.map(toRecord);
    },

    /** The current version of every policy, by name. */
    async list(): Promise<GuardrailPolicySummary[]> {
      const rows = await current().orderBy("name").orderBy("version", "desc").execute();
      const byName = new Map<string, GuardrailPolicySummary>();
      for (const row of rows) {
        const existing = byName.get(row.name);
        if (existing) existing.versions += 1;
        else byName.set(row.name, { ...toRecord(row), versions: 1 });
      }
      return [...byName.values()];
    },

    /** Removes `name` (every version); false when it has no current version. */
    async remove(name: string, at: number): Promise<boolean> {
      const result = await database.db.updateTable("guardrail_policies").set({ removed_at: at }).where("name", "=", name).where("removed_at", "is", null).executeTakeFirst();
      return affectedRows(result) > 0;
    },

    /** Ids of the keys (not revoked) whose own policy is `name`. */
    async keysUsing(name: string): Promise<string[]> {
      const rows = await database.db.selectFrom("api_keys").select("id").where("policy", "=", name).where("revoked_at", "is", null).orderBy("created_at").execute();
      return rows.map((row) => row.id);
    },
  };
}

function toRecord(row: GuardrailPoliciesTable): GuardrailPolicyRecord {
  return {
    name: row.name,
    version: Number(row.version),
    document: row.document,
    source: row.source,
    createdBy: row.created_by ?? undefined,
    createdAt: Number(row.created_at),
    removedAt: row.removed_at === null ? undefined : Number(row.removed_at),
  };
}
