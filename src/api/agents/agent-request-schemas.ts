import { z } from "zod";

const integerFrom = (field: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${field} must be an integer from ${min} to ${max}` })
    .int({ error: `${field} must be an integer from ${min} to ${max}` })
    .min(min, { error: `${field} must be an integer from ${min} to ${max}` })
    .max(max, { error: `${field} must be an integer from ${min} to ${max}` });

const order = z.enum(["asc", "desc"], { error: 'order must be "asc" or "desc"' }).default("desc");

/** `GET /v1/agents`: OpenAI-style paging. */
export const listAgentsQuery = z.object({ after: z.string().min(1, { error: "after must be an agent id" }).optional(), limit: integerFrom("limit", 1, 100).default(20), order });

/** `GET /v1/agents/{id}/versions`: paging by version number. */
export const listVersionsQuery = z.object({ after: integerFrom("after", 1, Number.MAX_SAFE_INTEGER).optional(), limit: integerFrom("limit", 1, 100).default(20), order });

/** `?version=N` of `GET /v1/agents/{id}` and its export. */
export const versionQuery = z.object({ version: integerFrom("version", 1, Number.MAX_SAFE_INTEGER).optional() });

/** `?format=` of an export (default json) or an import (default: from the content type). */
export const formatQuery = z.object({ format: z.enum(["json", "yaml"], { error: 'format must be "json" or "yaml"' }).optional() });

/** `?user=` of the memory routes: the end user whose memory (with the calling key) is meant; none by default. */
export const memoryUserQuery = z.object({ user: z.string().max(256, { error: "user must be at most 256 characters" }).default("") });

/** `PUT /v1/agents/{id}/memory/{label}`: the block's new value. */
export const putMemoryBody = z.strictObject({ value: z.string({ error: "value must be a string" }) }, { error: "the request body must be a JSON object" });

/** `PATCH /v1/agents/{id}/memory/{label}`: an edit, as the agent's memory tools make them. */
export const patchMemoryBody = z.discriminatedUnion(
  "op",
  [
    z.strictObject({ op: z.literal("append"), text: z.string({ error: "text must be a string" }) }),
    z.strictObject({ op: z.literal("replace"), old: z.string({ error: "old must be a string" }), new: z.string({ error: "new must be a string" }) }),
  ],
  { error: 'op must be "append" or "replace"' },
);
