import { Hono } from "hono";
import { z } from "zod";
import { nanosToDollars } from "../../maas/index.js";
import { NotFoundError } from "../../spec/index.js";
import type { ApiKeyRecord } from "../../store/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { positiveInteger } from "../openai/request-fields.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";
import type { RouteDependencies } from "../routes/route-helpers.js";
import { timeField, unixSeconds } from "./admin-fields.js";

const budgetPeriod = z.enum(["day", "week", "month", "total"], { error: "budget_period must be day, week, month or total" });
const budget = z.number({ error: "budget must be a non-negative number of dollars" }).nonnegative({ error: "budget must be a non-negative number of dollars" });
const models = z.array(z.string().min(1), { error: "models must be an array of model names" });

const createBody = z.strictObject({
  name: z.string({ error: "name must be a string" }).trim().min(1, { error: "name must not be empty" }),
  models: models.nullish(),
  rpm: positiveInteger("rpm").nullish(),
  tpm: positiveInteger("tpm").nullish(),
  budget: budget.nullish(),
  budget_period: budgetPeriod.nullish(),
  expires_at: timeField("expires_at").nullish(),
  is_admin: z.boolean({ error: "is_admin must be a boolean" }).nullish(),
  /** Lets a non-admin key start runs that execute code in the sandbox (humaneval, code-execution tasks). */
  allow_code_execution: z.boolean({ error: "allow_code_execution must be a boolean" }).nullish(),
});

/** Every field of `createBody`: `null` removes a limit; a left-out field stays as it is; an unknown field is a 400. */
const updateBody = z.strictObject({
  name: z.string().trim().min(1, { error: "name must not be empty" }).optional(),
  models: models.nullable().optional(),
  rpm: positiveInteger("rpm").nullable().optional(),
  tpm: positiveInteger("tpm").nullable().optional(),
  budget: budget.nullable().optional(),
  budget_period: budgetPeriod.optional(),
  expires_at: timeField("expires_at").nullable().optional(),
  is_admin: z.boolean({ error: "is_admin must be a boolean" }).optional(),
  allow_code_execution: z.boolean({ error: "allow_code_execution must be a boolean" }).optional(),
});

/** `/v1/admin/keys`: create (the key is returned once), list, show, change limits, revoke. */
export function keysRoutes({ maas }: RouteDependencies): Hono<AppEnvironment> {
  const requireKey = async (id: string) => {
    const record = await maas.keys.get(id);
    if (!record) throw new NotFoundError({ message: `API key ${id} not found`, param: "id", code: "key_not_found" });
    return record;
  };
  return new Hono<AppEnvironment>()
    .post("/", async (c) => {
      const body = parseWithSchema(createBody, await readJsonBody(c));
      const { record, key } = await maas.keys.create({
        name: body.name,
        models: body.models ?? undefined,
        rpm: body.rpm ?? undefined,
        tpm: body.tpm ?? undefined,
        budget: body.budget ?? undefined,
        budgetPeriod: body.budget_period ?? undefined,
        expiresAt: body.expires_at ?? undefined,
        isAdmin: body.is_admin ?? false,
        allowCodeExecution: body.allow_code_execution ?? false,
      });
      return c.json({ ...toKeyView(record), key }, 201);
    })
    .get("/", async (c) => c.json({ object: "list", data: (await maas.keys.list()).map(toKeyView) }))
    .get("/:id", async (c) => c.json(toKeyView(await requireKey(c.req.param("id")))))
    .patch("/:id", async (c) => {
      const body = parseWithSchema(updateBody, await readJsonBody(c));
      await requireKey(c.req.param("id"));
      const record = await maas.keys.updateLimits(c.req.param("id"), {
        name: body.name,
        models: body.models,
        rpm: body.rpm,
        tpm: body.tpm,
        budget: body.budget,
        budgetPeriod: body.budget_period,
        expiresAt: body.expires_at,
        isAdmin: body.is_admin,
        allowCodeExecution: body.allow_code_execution,
      });
      return c.json(toKeyView(record));
    })
    .delete("/:id", async (c) => c.json(toKeyView(await maas.keys.revoke(c.req.param("id")))));
}

function toKeyView(record: ApiKeyRecord) {
  return {
    id: record.id,
    object: "api_key",
    name: record.name,
    prefix: record.prefix,
    is_admin: record.isAdmin,
    allow_code_execution: record.allowCodeExecution,
    models: record.models ?? null,
    rpm: record.rpm ?? null,
    tpm: record.tpm ?? null,
    budget: record.budgetNanos === undefined ? null : nanosToDollars(record.budgetNanos),
    budget_period: record.budgetPeriod,
    spent: nanosToDollars(record.spentNanos),
    reserved: nanosToDollars(record.reservedNanos),
    expires_at: unixSeconds(record.expiresAt),
    revoked_at: unixSeconds(record.revokedAt),
    created_at: unixSeconds(record.createdAt),
  };
}
