import { Hono } from "hono";
import { z } from "zod";
import { InvalidRequestError, NotFoundError } from "../../spec/index.js";
import type { ApiKeyRecord } from "../../store/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { budgetView } from "../console/index.js";
import { positiveInteger } from "../openai/request-fields.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";
import type { RouteDependencies } from "../routes/route-helpers.js";
import { integerParameter } from "../usage/index.js";
import { timeField, unixSeconds } from "./admin-fields.js";

const budgetPeriod = z.enum(["day", "week", "month", "total"], { error: "budget_period must be day, week, month or total" });
const budget = z.number({ error: "budget must be a non-negative number of dollars" }).nonnegative({ error: "budget must be a non-negative number of dollars" });
const models = z.array(z.string().min(1), { error: "models must be an array of model names" });
/** A key's guardrail policy by name (it must exist); it tightens the default policy unless it says `override: true`. */
const policy = z.string({ error: "policy must be a policy name" }).min(1, { error: "policy must not be empty" });
/** Cap on the key's concurrent model calls across every instance. */
const maxConcurrentRequests = positiveInteger("max_concurrent_requests").max(100_000, { error: "max_concurrent_requests must be at most 100000" });

const createBody = z.strictObject({
  name: z.string({ error: "name must be a string" }).trim().min(1, { error: "name must not be empty" }),
  models: models.nullish(),
  rpm: positiveInteger("rpm").nullish(),
  tpm: positiveInteger("tpm").nullish(),
  max_concurrent_requests: maxConcurrentRequests.nullish(),
  budget: budget.nullish(),
  budget_period: budgetPeriod.nullish(),
  expires_at: timeField("expires_at").nullish(),
  is_admin: z.boolean({ error: "is_admin must be a boolean" }).nullish(),
  /** Lets a non-admin key start runs that execute code in the sandbox (humaneval, code-execution tasks). */
  allow_code_execution: z.boolean({ error: "allow_code_execution must be a boolean" }).nullish(),
  policy: policy.nullish(),
});

/** Every field of `createBody`: `null` removes a limit; a left-out field stays as it is; an unknown field is a 400. */
const updateBody = z.strictObject({
  name: z.string().trim().min(1, { error: "name must not be empty" }).optional(),
  models: models.nullable().optional(),
  rpm: positiveInteger("rpm").nullable().optional(),
  tpm: positiveInteger("tpm").nullable().optional(),
  max_concurrent_requests: maxConcurrentRequests.nullable().optional(),
  budget: budget.nullable().optional(),
  budget_period: budgetPeriod.optional(),
  expires_at: timeField("expires_at").nullable().optional(),
  is_admin: z.boolean({ error: "is_admin must be a boolean" }).optional(),
  allow_code_execution: z.boolean({ error: "allow_code_execution must be a boolean" }).optional(),
  /** `null` removes the key's policy (the default policy alone applies). */
  policy: policy.nullable().optional(),
});

const listQuery = z.strictObject({
  search: z.string().max(200, { error: "search must be at most 200 characters" }).optional(),
  status: z.enum(["active", "revoked", "expired"], { error: "status must be active, revoked or expired" }).optional(),
  admin: z.enum(["true", "false"], { error: "admin must be true or false" }).transform((value) => value === "true").optional(),
  sort: z.enum(["name", "created", "spend"], { error: "sort must be name, created or spend" }).default("created"),
  order: z.enum(["asc", "desc"], { error: "order must be asc or desc" }).default("asc"),
  limit: integerParameter("limit", 1, 1000).default(100),
  offset: integerParameter("offset", 0, 1_000_000_000).default(0),
});

/**
 * `/v1/admin/keys`: create (the key is returned once), list (`?search=&status=&admin=&sort=&order=&limit=&offset=`,
 * filtered, sorted and paged in SQL), show, change limits, revoke.
 */
export function keysRoutes({ maas, guardrails, now = Date.now }: RouteDependencies): Hono<AppEnvironment> {
  const assertPolicyExists = async (name: string | null | undefined) => {
    if (name === null || name === undefined) return;
    if (!guardrails) throw new InvalidRequestError({ message: "guardrails are not enabled on this server", param: "policy" });
    if (!(await guardrails.policies.exists(name))) {
      throw new InvalidRequestError({ message: `guardrail policy '${name}' does not exist; set it first (POST /v1/admin/policies)`, param: "policy", code: "policy_not_found" });
    }
  };
  const toKeyView = (record: ApiKeyRecord) => keyView(record, now());
  const requireKey = async (id: string) => {
    const record = await maas.keys.get(id);
    if (!record) throw new NotFoundError({ message: `API key ${id} not found`, param: "id", code: "key_not_found" });
    return record;
  };
  return new Hono<AppEnvironment>()
    .post("/", async (c) => {
      const body = parseWithSchema(createBody, await readJsonBody(c));
      await assertPolicyExists(body.policy);
      const { record, key } = await maas.keys.create({
        name: body.name,
        models: body.models ?? undefined,
        rpm: body.rpm ?? undefined,
        tpm: body.tpm ?? undefined,
        maxConcurrentRequests: body.max_concurrent_requests ?? undefined,
        budget: body.budget ?? undefined,
        budgetPeriod: body.budget_period ?? undefined,
        expiresAt: body.expires_at ?? undefined,
        isAdmin: body.is_admin ?? false,
        allowCodeExecution: body.allow_code_execution ?? false,
        policy: body.policy ?? undefined,
      });
      return c.json({ ...toKeyView(record), key }, 201);
    })
    .get("/", async (c) => {
      const query = parseWithSchema(listQuery, c.req.query());
      const { records, total } = await maas.keys.page({ search: query.search, state: query.status, admin: query.admin, sort: query.sort, order: query.order, limit: query.limit, offset: query.offset });
      return c.json({ object: "list", data: records.map(toKeyView), total, has_more: query.offset + records.length < total });
    })
    .get("/:id", async (c) => c.json(toKeyView(await requireKey(c.req.param("id")))))
    .patch("/:id", async (c) => {
      const body = parseWithSchema(updateBody, await readJsonBody(c));
      await requireKey(c.req.param("id"));
      await assertPolicyExists(body.policy);
      const record = await maas.keys.updateLimits(c.req.param("id"), {
        name: body.name,
        models: body.models,
        rpm: body.rpm,
        tpm: body.tpm,
        maxConcurrentRequests: body.max_concurrent_requests,
        budget: body.budget,
        budgetPeriod: body.budget_period,
        expiresAt: body.expires_at,
        isAdmin: body.is_admin,
        allowCodeExecution: body.allow_code_execution,
        policy: body.policy,
      });
      return c.json(toKeyView(record));
    })
    .delete("/:id", async (c) => c.json(toKeyView(await maas.keys.revoke(c.req.param("id")))));
}

/** Whether a key works now: `revoked`, `expired`, or `active`. */
function keyStatus(record: ApiKeyRecord, now: number): "active" | "revoked" | "expired" {
  if (record.revokedAt !== undefined) return "revoked";
  if (record.expiresAt !== undefined && record.expiresAt <= now) return "expired";
  return "active";
}

/** A key as admins see it: limits, state, and its budget in the current period. Never the secret. */
export function keyView(record: ApiKeyRecord, now: number) {
  return {
    id: record.id,
    object: "api_key",
    name: record.name,
    prefix: record.prefix,
    is_admin: record.isAdmin,
    allow_code_execution: record.allowCodeExecution,
    policy: record.policy ?? null,
    models: record.models ?? null,
    rpm: record.rpm ?? null,
    tpm: record.tpm ?? null,
    max_concurrent_requests: record.maxConcurrentRequests ?? null,
    ...budgetView(record, now),
    status: keyStatus(record, now),
    expires_at: unixSeconds(record.expiresAt),
    revoked_at: unixSeconds(record.revokedAt),
    created_at: unixSeconds(record.createdAt),
  };
}
