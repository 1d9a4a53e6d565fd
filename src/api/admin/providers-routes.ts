import { Hono } from "hono";
import { z } from "zod";
import { NotFoundError } from "../../spec/index.js";
import type { ProviderRecord } from "../../store/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { positiveInteger } from "../openai/request-fields.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";
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

/** `/v1/admin/providers`: upstream OpenAI-compatible endpoints (the API key is never shown back). */
export function providersRoutes({ providers }: RouteDependencies): Hono<AppEnvironment> {
  return new Hono<AppEnvironment>()
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
      return c.json(toProviderView(record), 201);
    })
    .get("/", async (c) => c.json({ object: "list", data: (await providers.list()).map(toProviderView) }))
    .get("/:name", async (c) => {
      const record = await providers.get(c.req.param("name"));
      if (!record) throw notFound(c.req.param("name"));
      return c.json(toProviderView(record));
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
      return c.json(toProviderView(record));
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

function toProviderView(record: ProviderRecord) {
  return {
    id: record.id,
    object: "provider",
    name: record.name,
    base_url: record.baseUrl,
    has_api_key: record.apiKey !== undefined,
    models: record.models,
    priority: record.priority,
    timeout_ms: record.timeoutMs,
    created_at: unixSeconds(record.createdAt),
  };
}
