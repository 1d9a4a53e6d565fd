import { z } from "zod";
import { UpstreamError } from "../../spec/index.js";
import { maskSecret } from "../mask-secret.js";
import { endpointUrl } from "./openai-compatible-language-model.js";
import { parseJson } from "./parse-json.js";
import { sendUpstream } from "./post-upstream.js";

/** An upstream to check: a saved provider, or one being filled in (nothing is stored). */
export type ConnectionTarget = { name: string; baseUrl: string; apiKey: string | undefined; timeoutMs: number };

/** `models`: `GET {base_url}/models`; `chat`: a 1-token, non-streamed `POST {base_url}/chat/completions` to `model`. */
export type ConnectionCheck = { kind: "models" } | { kind: "chat"; model: string };

export type ConnectionTestResult = {
  ok: boolean;
  check: ConnectionCheck["kind"];
  /** Time from sending the request until the whole answer was read. */
  latencyMs: number;
  /** The upstream's HTTP status; undefined when none came (unreachable, timed out). */
  status: number | undefined;
  /** Why the check failed: the upstream's own error text (its API key masked), or why it could not be reached. */
  error: string | undefined;
  /** The model ids the upstream lists (`models` check). */
  models: string[] | undefined;
};

const modelListSchema = z.object({ data: z.array(z.looseObject({ id: z.string() })) });
const chatCompletionSchema = z.object({ choices: z.array(z.unknown()) });

/**
 * Calls the upstream once through the same client the gateway's routes use (same headers, timeout and error texts) and
 * reports whether it answered as an OpenAI-compatible server should. Never throws for the upstream's failures; the
 * caller's abort propagates.
 */
export async function testConnection(
  target: ConnectionTarget,
  check: ConnectionCheck,
  options: { fetch: typeof globalThis.fetch; signal?: AbortSignal | undefined },
): Promise<ConnectionTestResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const mask = (text: string) => (target.apiKey ? text.replaceAll(target.apiKey, maskSecret(target.apiKey)) : text);
  try {
    const response = await sendUpstream({
      providerName: target.name,
      method: check.kind === "models" ? "GET" : "POST",
      url: endpointUrl(target.baseUrl, check.kind === "models" ? "/models" : "/chat/completions"),
      body: check.kind === "chat" ? { model: check.model, messages: [{ role: "user", content: "Say OK." }], max_tokens: 1, stream: false } : undefined,
      apiKey: target.apiKey,
      timeoutMs: target.timeoutMs,
      abortSignal: options.signal,
      fetch: options.fetch,
    });
    const text = await response.text();
    const latencyMs = elapsed();
    const json = parseJson(text);
    if (check.kind === "models") {
      const parsed = modelListSchema.safeParse(json);
      if (!parsed.success) return { ok: false, check: check.kind, latencyMs, status: response.status, error: mask(notOpenAI(target, "a model list", text)), models: undefined };
      return { ok: true, check: check.kind, latencyMs, status: response.status, error: undefined, models: parsed.data.data.map((model) => model.id) };
    }
    if (!chatCompletionSchema.safeParse(json).success) {
      return { ok: false, check: check.kind, latencyMs, status: response.status, error: mask(notOpenAI(target, "a chat completion", text)), models: undefined };
    }
    return { ok: true, check: check.kind, latencyMs, status: response.status, error: undefined, models: undefined };
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    const status = error instanceof UpstreamError ? error.upstreamStatus : undefined;
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, check: check.kind, latencyMs: elapsed(), status, error: mask(message), models: undefined };
  }
}

function notOpenAI(target: ConnectionTarget, expected: string, text: string): string {
  const start = text.trim().slice(0, 300);
  return `upstream ${target.name} answered, but not with ${expected} of an OpenAI-compatible API (is the base URL right, e.g. ending in /v1?): ${start === "" ? "an empty body" : start}`;
}
