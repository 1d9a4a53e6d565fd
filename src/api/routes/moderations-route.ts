import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { z } from "zod";
import type { Guardrails } from "../../guardrails/index.js";
import { NotFoundError } from "../../spec/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";

/** The one moderation model: aiplus's own detectors. */
export const moderationModel = "aiplus-guardrails";

const text = z.string({ error: "input must be a string or an array of strings" });
const moderationRequest = z.strictObject({
  model: z.string({ error: "model must be a string" }).optional(),
  input: z.union([text, z.array(text, { error: "input must be a string or an array of strings" }).min(1, { error: "input must not be an empty array" }).max(2048, { error: "input must have at most 2048 items" })], {
    error: "input must be a string or an array of strings",
  }),
});

/**
 * `POST /v1/moderations` (OpenAI-compatible): each input checked by the guardrail detectors, in OpenAI's shape
 * (`flagged`, `categories`, `category_scores`, `category_applied_input_types`) with the categories `pii`, `secrets` and
 * `prompt_injection`, plus OpenAI's categories when the caller's policy names a judge model (`moderation.judge_model`).
 * `model` may be left out or be `aiplus-guardrails`.
 */
export function moderationsRoute(guardrails: Guardrails): Hono<AppEnvironment> {
  return new Hono<AppEnvironment>().post("/", async (c) => {
    const request = parseWithSchema(moderationRequest, await readJsonBody(c));
    if (request.model !== undefined && request.model !== moderationModel) {
      throw new NotFoundError({ message: `The moderation model '${request.model}' does not exist; use '${moderationModel}' or leave model out`, param: "model", code: "model_not_found" });
    }
    const inputs = typeof request.input === "string" ? [request.input] : request.input;
    const principal = c.get("principal");
    // The caller's policy: its judge models (if any) are asked too, under its guard.
    const results = await guardrails.moderate(inputs, { keyId: principal.id, keyPolicy: principal.policy, endpoint: "moderations", model: moderationModel, signal: c.req.raw.signal });
    return c.json({ id: `modr-${randomUUID()}`, model: moderationModel, results });
  });
}
