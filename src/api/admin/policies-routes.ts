import { Hono } from "hono";
import { z } from "zod";
import type { Guardrails, PolicyDocument } from "../../guardrails/index.js";
import type { GuardrailPolicyRecord } from "../../store/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";
import { unixSeconds } from "./admin-fields.js";

const setBody = z.strictObject({
  name: z.string({ error: "name must be a string" }),
  /** The policy: a JSON object, or the text of a YAML/JSON policy file. */
  policy: z.union([z.string(), z.record(z.string(), z.unknown())], { error: "policy must be an object or the text of a YAML/JSON policy file" }),
});

const showQuery = z.strictObject({
  version: z.coerce.number({ error: "version must be a positive integer" }).int({ error: "version must be a positive integer" }).positive({ error: "version must be a positive integer" }).optional(),
});

/**
 * `/v1/admin/policies`: set a policy (a new version of the name; 400 naming the field when it is not valid), list the
 * current ones, show one (`?version=N` for an older version), remove one (409 while keys use it).
 */
export function policiesRoutes(guardrails: Guardrails): Hono<AppEnvironment> {
  return new Hono<AppEnvironment>()
    .post("/", async (c) => {
      const body = parseWithSchema(setBody, await readJsonBody(c));
      const { record, document } = await guardrails.policies.set({ name: body.name, policy: body.policy, createdBy: c.get("principal").id });
      return c.json(policyView(record, document), 201);
    })
    .get("/", async (c) => {
      const list = await guardrails.policies.list();
      return c.json({ object: "list", data: list.map((summary) => ({ ...policyView(summary, undefined), versions: summary.versions })) });
    })
    .get("/:name", async (c) => {
      const query = parseWithSchema(showQuery, c.req.query());
      const { record, document, keys } = await guardrails.policies.get(c.req.param("name"), query.version);
      return c.json({ ...policyView(record, document), keys });
    })
    .delete("/:name", async (c) => {
      const name = c.req.param("name");
      await guardrails.policies.remove(name);
      return c.json({ object: "guardrail_policy", name, deleted: true });
    });
}

/** A guardrail policy as `/v1/admin/policies` shows it (its validated document and source when given). */
export function policyView(record: GuardrailPolicyRecord, document: PolicyDocument | undefined) {
  return {
    object: "guardrail_policy",
    name: record.name,
    version: record.version,
    ...(document === undefined ? {} : { policy: document, source: record.source }),
    created_by: record.createdBy ?? null,
    created_at: unixSeconds(record.createdAt),
  };
}
