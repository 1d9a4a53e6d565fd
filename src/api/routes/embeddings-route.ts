import { Hono } from "hono";
import type { AppEnvironment } from "../app-environment.js";
import { runEmbeddingCall } from "../metering/index.js";
import { embeddingRequestSchema, embeddingToBase64 } from "../openai/index.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";
import { callContext, type RouteDependencies } from "./route-helpers.js";

/** `POST /v1/embeddings`: L2-normalised vectors as float arrays or base64 (little-endian float32). */
export function embeddingsRoute(dependencies: RouteDependencies): Hono<AppEnvironment> {
  return new Hono<AppEnvironment>().post("/", async (c) => {
    const request = parseWithSchema(embeddingRequestSchema, await readJsonBody(c));
    const result = await runEmbeddingCall(callContext(c, dependencies), { model: request.model, values: request.input });
    const base64 = request.encoding_format === "base64";
    const promptTokens = result.usage.inputTokens ?? 0;
    return c.json({
      object: "list",
      data: result.embeddings.map((vector, index) => ({ object: "embedding", index, embedding: base64 ? embeddingToBase64(vector) : vector })),
      model: request.model,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    });
  });
}
