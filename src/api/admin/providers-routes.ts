import { Hono } from "hono";
import { z } from "zod";
import type { ProviderHealth } from "../../gateway/index.js";
import { maskSecret } from "../../gateway/index.js";
import { InvalidRequestError, NotFoundError } from "../../spec/index.js";
import type { ProviderRecord } from "../../store/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { positiveInteger } from "../openai/request-fields.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";
import { readOptionalJsonBody } from "../request/read-optional-json-body.js";
import type { RouteDependencies } from "../routes/route-helpers.js";
import { unixSeconds } from "./admin-fields.js";

const createBody = z.strictObject({
  name: z.string({ error: "name must be a string" }).regex(/^[A-Za-z0-9][\w.-]{0,63}$/, { error: "name must be 1-64 letters, digits, dots, dashes or underscores" }),
  base_url: z.url({ protocol: /^https?$/, error: "base_url must be an http(s) URL such as http://127.0.0.1:8000/v1" }),
  api_key: z.string({ error: "api_key must be a string" }).nullish(),
  models: z.array(z.string().min(1), { error: "models must be an array of model names" }).min(1, { error: "models must name at least one model" }),
  priority: z.number({ error: "priority must be an integer" }).int({ error: "priority must be an integer" }).nullish(),
  timeout_ms: positiveInteger("timeout_ms").nullish(),
});

/** Every field of `createBody` but the name (the provider's identity): a left-out field stays; `api_key: null` removes the key. */
const updateBody = z.strictObject({
  base_url: z.url({ protocol: /^https?$/, error: "base_url must be an http(s) URL such as http://127.0.0.1:8000/v1" }).optional(),
  api_key: z.string({ error: "api_key must be a string" }).nullable().optional(),
  models: z.array(z.string().min(1), { error: "models must be an array of model names" }).min(1, { error: "models must name at least one model" }).optional(),
  priority: z.number({ error: "priority must be an integer" }).int({ error: "priority must be an integer" }).optional(),
  timeout_ms: positiveInteger("timeout_ms").optional(),
});

const baseUrlField = z.url({ protocol: /^https?$/, error: "base_url must be an http(s) URL such as http://127.0.0.1:8000/v1" });
const checkField = z.enum(["models", "chat"], { error: "check must be models (GET {base_url}/models) or chat (a 1-token chat completion)" });
const modelField = z.string({ error: "model must be a string" }).min(1, { error: "model must not be empty" });

/** Testing a saved provider: its settings, each overridable by the form being edited (`api_key: null` tests without a key). */
const savedTestBody = z.strictObject({
  check: checkField.optional(),
  model: modelField.optional(),
  base_url: baseUrlField.optional(),
  api_key: z.string({ error: "api_key must be a string" }).nullable().optional(),
  timeout_ms: positiveInteger("timeout_ms").optional(),
});

/** Testing a provider that is not saved yet. */
const unsavedTestBody = z.strictObject({
  name: z.string({ error: "name must be a string" }).min(1).max(64).optional(),
  base_url: baseUrlField,
  api_key: z.string({ error: "api_key must be a string" }).nullish(),
  models: z.array(z.string().min(1), { error: "models must be an array of model names" }).optional(),
  timeout_ms: positiveInteger("timeout_ms").optional(),
  check: checkField.optional(),
  model: modelField.optional(),
});

/** Time an unsaved provider's test may take until the upstream answers. */
const defaultTestTimeoutMs = 15_000;

/**
 * `/v1/admin/providers`: upstream OpenAI-compatible endpoints. The API key is never shown back (only `has_api_key` and a
 * masked `api_key_hint`); each provider shows its circuit-breaker state and recent latency per model route, its requests in
 * flight on this instance (`outstanding_requests`, what pools balance on) and its latest active health check. `POST
 * /test` and `/{name}/test` call the upstream once and report the upstream's own error text.
 */
export function providersRoutes({ providers, gateway }: RouteDependencies): Hono<AppEnvironment> {
  const view = (record: ProviderRecord) => toProviderView(record, gateway.providerHealth(record));
  return new Hono<AppEnvironment>()
    .post("/test", async (c) => {
      const body = parseWithSchema(unsavedTestBody, await readJsonBody(c));
      const check = checkOf(body.check, body.model, body.models?.[0]);
      const target = { name: body.name ?? "(unsaved)", baseUrl: body.base_url.replace(/\/+$/, ""), apiKey: body.api_key ?? undefined, timeoutMs: body.timeout_ms ?? defaultTestTimeoutMs };
      return c.json(toTestView(await gateway.testConnection(target, check, c.req.raw.signal), body.models ?? []));
    })
    .post("/:name/test", async (c) => {
      const record = await providers.get(c.req.param("name"));
      if (!record) throw notFound(c.req.param("name"));
      const body = parseWithSchema(savedTestBody, await readOptionalJsonBody(c));
      const check = checkOf(body.check, body.model, record.models[0]);
      const target = {
        name: record.name,
        baseUrl: body.base_url?.replace(/\/+$/, "") ?? record.baseUrl,
        apiKey: body.api_key === undefined ? record.apiKey : (body.api_key ?? undefined),
        timeoutMs: body.timeout_ms ?? record.timeoutMs,
      };
      return c.json(toTestView(await gateway.testConnection(target, check, c.req.raw.signal), record.models));
    })
    .post("/", async (c) => {
      const body = parseWithSchema(createBody, await readJsonBody(c));
      const record = await providers.add({
        name: body.name,
        baseUrl: body.base_url.replace(/\/+$/, ""),
        apiKey: body.api_key ?? undefined,
        models: body.models,
        priority: body.priority ?? undefined,
        timeoutMs: body.timeout_ms ?? undefined,
      });
      return c.json(view(record), 201);
    })
    .get("/", async (c) => c.json({ object: "list", data: (await providers.list()).map(view) }))
    .get("/:name", async (c) => {
      const record = await providers.get(c.req.param("name"));
      if (!record) throw notFound(c.req.param("name"));
      return c.json(view(record));
    })
    .patch("/:name", async (c) => {
      const body = parseWithSchema(updateBody, await readJsonBody(c));
      const record = await providers.update(c.req.param("name"), {
        baseUrl: body.base_url?.replace(/\/+$/, ""),
        apiKey: body.api_key,
        models: body.models,
        priority: body.priority,
        timeoutMs: body.timeout_ms,
      });
      if (!record) throw notFound(c.req.param("name"));
      return c.json(view(record));
    })
    .delete("/:name", async (c) => {
      const name = c.req.param("name");
      if (!(await providers.remove(name))) throw notFound(name);
      return c.json({ id: name, object: "provider", deleted: true });
    });
}

function notFound(name: string): NotFoundError {
  return new NotFoundError({ message: `provider ${name} not found`, param: "name", code: "provider_not_found" });
}

/** The check to run: `models` unless `chat` is asked for, which needs a model (the given one, else the provider's first). */
function checkOf(kind: "models" | "chat" | undefined, model: string | undefined, fallbackModel: string | undefined) {
  if (kind !== "chat") return { kind: "models" as const };
  const chosen = model ?? fallbackModel;
  if (chosen === undefined) throw new InvalidRequestError({ message: "check chat needs a model to call: pass model", param: "model" });
  return { kind: "chat" as const, model: chosen };
}

function toTestView(result: Awaited<ReturnType<RouteDependencies["gateway"]["testConnection"]>>, configuredModels: readonly string[]) {
  const listed = result.models === undefined ? undefined : new Set(result.models.map((model) => model.toLowerCase()));
  return {
    object: "provider.connection_test",
    ok: result.ok,
    check: result.check,
    latency_ms: result.latencyMs,
    status: result.status ?? null,
    error: result.error ?? null,
    models: result.models ?? null,
    missing_models: listed === undefined ? null : configuredModels.filter((model) => !listed.has(model.toLowerCase())),
  };
}

function toLatencyView(latency: ProviderHealth["latency"]) {
  if (latency === undefined) return null;
  return { average_ms: Math.round(latency.averageMs), last_ms: Math.round(latency.lastMs), last_at: unixSeconds(latency.lastAt), samples: latency.samples };
}

function toHealthCheckView(check: ProviderHealth["healthCheck"]) {
  if (check === undefined) return null;
  return { status: check.status, checked_at: unixSeconds(check.checkedAt), latency_ms: check.latencyMs, error: check.error ?? null };
}

/** A provider's stored settings as `/v1/admin/providers` shows them (the API key masked); see `toProviderView`. */
export function toProviderRecordView(record: ProviderRecord) {
  return {
    id: record.id,
    object: "provider",
    name: record.name,
    base_url: record.baseUrl,
    has_api_key: record.apiKey !== undefined,
    api_key_hint: record.apiKey === undefined ? null : maskSecret(record.apiKey),
    models: record.models,
    priority: record.priority,
    timeout_ms: record.timeoutMs,
    created_at: unixSeconds(record.createdAt),
  };
}

function toProviderView(record: ProviderRecord, health: ProviderHealth) {
  return {
    ...toProviderRecordView(record),
    circuit: { state: health.state, open_until_at: unixSeconds(health.openUntil) },
    latency: toLatencyView(health.latency),
    outstanding_requests: health.outstanding,
    health_check: toHealthCheckView(health.healthCheck),
    routes: health.routes.map((route) => ({
      model: route.model,
      state: route.state,
      open_until_at: unixSeconds(route.openUntil),
      paused_until_at: unixSeconds(route.pausedUntil),
      consecutive_failures: route.consecutiveFailures,
      latency: toLatencyView(route.latency),
    })),
  };
}
