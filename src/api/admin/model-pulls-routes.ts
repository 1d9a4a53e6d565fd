import { Hono } from "hono";
import { z } from "zod";
import type { JobStatus } from "../../jobs/index.js";
import type { ModelPull, ModelPullService } from "../../model-pulls/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";
import { unixSeconds } from "./admin-fields.js";
import { modelNameField } from "./model-name-field.js";

const createBody = z.strictObject({
  source: z
    .string({ error: "source must be an http(s) URL or hf:org/repo/file.gguf" })
    .trim()
    .min(1, { error: "source must be an http(s) URL or hf:org/repo/file.gguf" }),
  name: modelNameField.nullish(),
  sha256: z.string({ error: "sha256 must be 64 hexadecimal characters" }).nullish(),
});

const statuses = ["queued", "running", "completed", "failed", "cancelled"] as const;

const listQuery = z.strictObject({
  status: z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value.trim() === "") return undefined;
      const listed = value.split(",").map((entry) => entry.trim());
      const unknown = listed.find((entry) => !(statuses as readonly string[]).includes(entry));
      if (unknown !== undefined) {
        context.addIssue({ code: "custom", message: `status must be a comma-separated list of ${statuses.join(", ")}; got ${unknown}` });
        return z.NEVER;
      }
      return listed as JobStatus[];
    }),
  limit: z.coerce
    .number({ error: "limit must be an integer from 1 to 100" })
    .int({ error: "limit must be an integer from 1 to 100" })
    .min(1, { error: "limit must be an integer from 1 to 100" })
    .max(100, { error: "limit must be an integer from 1 to 100" })
    .optional(),
});

/**
 * `/v1/admin/model-pulls`: download a model from a URL or `hf:` reference as a server-side job (202), list pulls with
 * bytes, rate and ETA, cancel one (its files are deleted; nothing is registered) or retry a failed or cancelled one.
 */
export function modelPullsRoutes(pulls: ModelPullService): Hono<AppEnvironment> {
  return new Hono<AppEnvironment>()
    .post("/", async (c) => {
      const body = parseWithSchema(createBody, await readJsonBody(c));
      const pull = await pulls.create({ source: body.source, name: body.name ?? undefined, sha256: body.sha256 ?? undefined, keyId: c.get("principal").id });
      return c.json(toPullView(pull), 202);
    })
    .get("/", async (c) => {
      const query = parseWithSchema(listQuery, c.req.query());
      const list = await pulls.list({ statuses: query.status, limit: query.limit ?? 20 });
      return c.json({ object: "list", data: list.map(toPullView) });
    })
    .get("/:id", async (c) => c.json(toPullView(await pulls.get(c.req.param("id")))))
    .post("/:id/cancel", async (c) => c.json(toPullView(await pulls.cancel(c.req.param("id")))))
    .post("/:id/retry", async (c) => c.json(toPullView(await pulls.retry(c.req.param("id")))));
}

function toPullView(pull: ModelPull) {
  return {
    id: pull.id,
    object: "model.pull",
    source: pull.source,
    url: pull.url,
    file_name: pull.fileName,
    name: pull.name,
    sha256_expected: pull.sha256Expected ?? null,
    status: pull.status,
    bytes_done: pull.bytesDone,
    bytes_total: pull.bytesTotal ?? null,
    rate_bytes_per_second: pull.rateBytesPerSecond === undefined ? null : Math.round(pull.rateBytesPerSecond),
    eta_seconds: pull.etaSeconds ?? null,
    resumed_from: pull.resumedFrom,
    error: pull.error ?? null,
    model: pull.model ?? null,
    path: pull.path ?? null,
    sha256: pull.sha256 ?? null,
    verified_against: pull.verifiedAgainst ?? null,
    attempts: pull.attempts,
    created_at: unixSeconds(pull.createdAt),
    started_at: unixSeconds(pull.startedAt),
    finished_at: unixSeconds(pull.finishedAt),
    updated_at: unixSeconds(pull.updatedAt),
  };
}
