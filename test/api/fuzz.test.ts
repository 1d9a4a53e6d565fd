import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnServer, type ServerProcess } from "../support/spawn-server.js";
import { testModelPath } from "../support/test-models.js";

/**
 * A bounded, deterministic fuzz of the HTTP edge: a few thousand malformed and hostile requests against every public
 * route of a real server (child process, real llama.cpp with tiny models, real SQLite). No response may be a 500 (a
 * 5xx only as 503 with `retry-after`, or 502/504 from routes that call models), every error is OpenAI's error JSON,
 * the server stays up, and its RSS returns near its baseline after a forced GC. Requests that pass validation are kept
 * cheap (`max_tokens` 2 in the templates). `AIPLUS_FUZZ_SEED` replays another seed.
 */

const totalRequests = 2_500;
/** Requests of the warm-up round before the RSS baseline. */
const warmupRequests = 300;
const concurrency = 4;
const seed = Number(process.env.AIPLUS_FUZZ_SEED ?? 20_251_107);
/** RSS growth allowed after the fuzz and a forced GC (allocator slack, SQLite page cache, knowledge jobs). */
const rssToleranceBytes = 50 * 1024 * 1024;
const bodyLimitBytes = 4 * 1024 * 1024;

const home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-fuzz-"));
const adminKey = "aip_fuzz_admin_key_0123456789abcdef";
let server: ServerProcess;
let userKey = "";
let battleId = "";
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

afterAll(async () => {
  agent.destroy();
  if (server && server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill("SIGTERM");
    await server.exited;
  }
  fs.rmSync(home, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------------
// Deterministic randomness

function mulberry32(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

class Random {
  private readonly next: () => number;
  constructor(seedValue: number) {
    this.next = mulberry32(seedValue);
  }
  int(below: number): number {
    return Math.floor(this.next() * below);
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  pick<T>(values: readonly T[]): T {
    return values[this.int(values.length)]!;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Raw HTTP (node:http, so paths, headers and bytes go out exactly as built)

type FuzzRequest = {
  label: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | undefined;
  /** Send the body as two chunks without content-length (chunked transfer encoding). */
  chunked?: boolean;
  /** The route may call a model upstream (502/504 allowed). */
  upstream?: boolean;
};

type FuzzResponse = { status: number; headers: http.IncomingHttpHeaders; text: string } | { transportError: string };

const guardedSockets = new WeakSet<object>();

function send(request: FuzzRequest, baseUrl: string): Promise<FuzzResponse> {
  const url = new URL(baseUrl);
  // Node's client frames a body of GET, DELETE, OPTIONS… only with an explicit content-length.
  const headers = request.body !== undefined && !request.chunked ? { ...request.headers, "content-length": String(request.body.length) } : request.headers;
  // A body over the limit goes on its own connection, which the server closes after its 413.
  const oversized = (request.body?.length ?? 0) > bodyLimitBytes;
  return new Promise((resolve) => {
    let answered = false;
    const outgoing = http.request(
      { agent: oversized ? false : agent, host: url.hostname, port: url.port, method: request.method, path: request.path, headers, timeout: 120_000 },
      (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString("utf8") });
          if (oversized) outgoing.destroy();
        });
        response.on("error", (error) => resolve({ transportError: `response: ${error.message}` }));
      },
    );
    outgoing.on("timeout", () => outgoing.destroy(new Error("no response within 120 s")));
    outgoing.on("socket", (socket) => {
      // Errors are reported through the request's error event; one listener per (reused) socket keeps them caught.
      if (!guardedSockets.has(socket)) socket.on("error", () => undefined);
      guardedSockets.add(socket);
    });
    outgoing.on("error", (error) => resolve({ transportError: `${(error as NodeJS.ErrnoException).code ?? ""} ${error.message}` }));
    const body = request.body;
    if (body === undefined) outgoing.end();
    else if (oversized && !request.chunked) {
      // Headers first: the server answers 413 from content-length alone, before any of the body is sent.
      outgoing.flushHeaders();
      const fallback = setTimeout(() => outgoing.end(body), 10_000);
      outgoing.on("response", () => clearTimeout(fallback));
    } else if (request.chunked) {
      // Chunked, in 64 KiB pieces, stopping once the server has answered.
      let offset = 0;
      const writeMore = () => {
        while (!answered && offset < body.length) {
          const piece = body.subarray(offset, offset + 65_536);
          offset += piece.length;
          if (!outgoing.write(piece)) {
            outgoing.once("drain", writeMore);
            return;
          }
        }
        if (!answered) outgoing.end();
      };
      writeMore();
    } else outgoing.end(body);
  });
}

/** Problems with one response, or undefined. */
function problemOf(request: FuzzRequest, response: FuzzResponse): string | undefined {
  if ("transportError" in response) {
    // A chunked body over the limit: the server may close the connection after its 413 while the body is still on
    // the way, and this side may see the reset before it reads the answer (HTTP/1.1 allows that close).
    const reset = /EPIPE|ECONNRESET/.test(response.transportError);
    if (reset && request.chunked && (request.body?.length ?? 0) > bodyLimitBytes) return undefined;
    return `transport error: ${response.transportError}`;
  }
  const { status } = response;
  if (status >= 500) {
    const overloaded = status === 503 && response.headers["retry-after"] !== undefined;
    const upstream = (status === 502 || status === 504) && request.upstream === true;
    if (!overloaded && !upstream) return `status ${status}: ${response.text.slice(0, 300)}`;
  }
  if (request.method === "HEAD" || status < 400) return undefined;
  if (!String(response.headers["content-type"] ?? "").startsWith("application/json")) return `status ${status} without JSON: ${response.headers["content-type"]}`;
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    return `status ${status}, body is not JSON: ${response.text.slice(0, 200)}`;
  }
  const error = (body as { error?: Record<string, unknown> } | null)?.error;
  const valid =
    typeof error === "object" && error !== null && typeof error.message === "string" && error.message !== "" && typeof error.type === "string" &&
    (error.param === null || typeof error.param === "string") && (error.code === null || typeof error.code === "string");
  return valid ? undefined : `status ${status}, not OpenAI error JSON: ${response.text.slice(0, 300)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Hostile material

function nested(depth: number, kind: "array" | "object"): string {
  return kind === "array" ? `${"[".repeat(depth)}1${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

/** Raw JSON texts substituted for a value (some are not JSON at all). */
const hostileLiterals = [
  "null", "true", "false", "0", "-0", "-1", "1.5", "1e308", "-1e308", "1e400", "-1e400", "9007199254740993", "18446744073709551616", "5e-324",
  "NaN", "Infinity", "-Infinity", "00", ".5", "1.", "0x10", "undefined",
  '""', '" "', '"NaN"', '"Infinity"', '"-1"', '"1e999"', '"0x1F"', '"true"', '"null"', '"\\u0000"', '"\\ud800"', '"\\udfff\\ud800"',
  '"\' OR 1=1 --"', '"../../etc/passwd"', '"%00"', '"<script>alert(1)</script>"', '"${jndi:ldap://127.0.0.1/a}"', '"\\r\\nset-cookie: a=1"',
  '"file:///etc/passwd"', '"javascript:alert(1)"', '"http://[::1]:9/v1"',
  "[]", "[null]", "[[[]]]", "{}", '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}',
  '[{"role":"user","content":"x","__proto__":{"isAdmin":true}}]', '{"type":"function","function":{"name":"f"}}',
  nested(200, "object"), nested(200, "array"),
];

/** The hostile literals that are JSON (and survive a parse and re-serialization unchanged in kind). */
const jsonLiterals = hostileLiterals.filter((literal) => {
  try {
    return Number.isFinite(JSON.parse(literal)) || typeof JSON.parse(literal) !== "number";
  } catch {
    return false;
  }
});

function hostileValue(random: Random): string {
  switch (random.int(8)) {
    case 0:
      return JSON.stringify("x".repeat(100_000));
    case 1:
      return JSON.stringify("💥".repeat(5_000));
    case 2:
      return JSON.stringify(Array.from({ length: 10_000 }, (_, index) => index));
    case 3:
      return nested(10_000, random.chance(0.5) ? "array" : "object");
    default:
      return random.pick(hostileLiterals);
  }
}

const unknownFields = [
  "repeat_penalty", "cache_prompt", "n_probs", "mirostat", "typical_p", "ignore_eos", "foo", "Model", "__proto__", "constructor", "",
  "x".repeat(300), "💥", "max_tokens ", "top-k",
];

/** Whole bodies that are not a request at all. */
const garbageBodies: (() => Buffer)[] = [
  () => Buffer.from(""), () => Buffer.from(" \n\t"), () => Buffer.from("{"), () => Buffer.from("}"), () => Buffer.from('{"a":'), () => Buffer.from("nul"),
  () => Buffer.from("null"), () => Buffer.from("true"), () => Buffer.from("1"), () => Buffer.from('"str"'), () => Buffer.from("[]"), () => Buffer.from("[{}]"),
  () => Buffer.from("{}"), () => Buffer.from('{"model":}'), () => Buffer.from("{'model':'x'}"), () => Buffer.from('{"a":1,}'), () => Buffer.from("\u0000"),
  () => Buffer.from("\ufeff{}"), () => Buffer.from('{"__proto__":{"isAdmin":true}}'), () => Buffer.from("NaN"), () => Buffer.from('{"a":NaN}'),
  () => Buffer.from(nested(10_000, "array")), () => Buffer.from(nested(10_000, "object")), () => Buffer.from("[".repeat(100_000)),
  () => Buffer.from('{"a":"\\ud800"}'), () => Buffer.from('{"a":"\\u0000"}'), () => Buffer.from('{"a":"\\x41"}'), () => Buffer.from("\x1b[31m{}"),
  () => Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]), () => Buffer.from("{}".repeat(10_000)),
];

/** Byte sequences that are not UTF-8. */
const invalidUtf8 = [[0xff], [0xfe], [0xc0, 0xaf], [0x80], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x92], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x28, 0xa1]];

const hostileIds = [
  "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "../../etc/passwd", "..", "%2e%2e", "'%20OR%201%3D1%20--", "%27%3B%20DROP%20TABLE%20api_keys%3B--",
  "%00", "a%00b", "%ZZ", "%", "%E0%A4%A", "%C0%AF", "%FF%FE", "%F0%9F%92%A5", "%ED%A0%80", "null", "undefined", "__proto__", "constructor", "0", "-1",
  "1e999", "NaN", "%20", "%0d%0aset-cookie:%20a=1", "%3Cscript%3E", "x".repeat(4_000), "%41".repeat(1_000), "a/b/c", "*", "$where", "%7B%7D",
];

// ---------------------------------------------------------------------------------------------------------------
// Routes

type RouteSpec = {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** `{kb}` is the fuzz knowledge base or a hostile id, `{id}` always a hostile or random id, `{battle}` the battle or a hostile id. */
  path: string;
  body?: (random: Random) => unknown;
  /** Text body (arena import). */
  text?: boolean;
  query?: Record<string, string[]>;
  admin?: boolean;
  upstream?: boolean;
  noAuth?: boolean;
};

const numbers = ["1", "0", "-1", "1e999", "NaN", "abc", "", "99999999999999999999", "1.5", "%ZZ", "2"];
const routes: RouteSpec[] = [
  { method: "GET", path: "/health", noAuth: true },
  { method: "GET", path: "/v1/models" },
  { method: "GET", path: "/v1/models/{id}" },
  {
    method: "POST", path: "/v1/chat/completions", upstream: true,
    body: (random) => ({
      model: "stories", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: [{ type: "text", text: "Hi" }] }], max_tokens: 2,
      temperature: 0.5, top_k: 40, min_p: 0.05, stop: ["\n"], seed: 1, logit_bias: { "2": -1 }, user: "fuzz", store: false, metadata: { a: "b" },
      ...(random.chance(0.3) ? { stream: true, stream_options: { include_usage: true } } : {}),
      ...(random.chance(0.2) ? { tools: [{ type: "function", function: { name: "f", parameters: { type: "object", properties: { a: { type: "string" } } } } }], tool_choice: "auto" } : {}),
      ...(random.chance(0.2) ? { response_format: { type: "json_schema", json_schema: { name: "r", schema: { type: "object", properties: { a: { type: "string" } } } } } } : {}),
      ...(random.chance(0.1) ? { knowledge_bases: ["fuzz-kb"], knowledge_options: { top_k: 2, mode: "lexical" } } : {}),
    }),
  },
  { method: "POST", path: "/v1/completions", upstream: true, body: (random) => ({ model: "stories", prompt: "Once", max_tokens: 2, echo: random.chance(0.3), logprobs: 1, ...(random.chance(0.3) ? { stream: true } : {}) }) },
  { method: "POST", path: "/v1/embeddings", upstream: true, body: () => ({ model: "bert", input: ["hello", "world"], encoding_format: "float" }) },
  { method: "POST", path: "/v1/rerank", upstream: true, body: () => ({ model: "bert", query: "hello", documents: ["hello there", { text: "world" }], top_n: 1, return_documents: true }) },
  { method: "POST", path: "/v1/responses", upstream: true, body: (random) => ({ model: "stories", input: [{ role: "user", content: "Hi" }], instructions: "Be brief.", max_output_tokens: 2, temperature: 0, store: random.chance(0.5), ...(random.chance(0.3) ? { stream: true } : {}) }) },
  { method: "GET", path: "/v1/responses/{id}" },
  { method: "DELETE", path: "/v1/responses/{id}" },
  { method: "GET", path: "/v1/responses/{id}/input_items", query: { after: ["{id}"], limit: numbers, order: ["asc", "desc", "sideways"] } },
  { method: "POST", path: "/v1/responses/{id}/cancel" },
  { method: "POST", path: "/v1/knowledge-bases", upstream: true, body: (random) => ({ name: `fuzz-${random.int(1_000_000)}`, embedding_model: "bert", description: "d", chunk_size: 128, chunk_overlap: 16 }) },
  { method: "GET", path: "/v1/knowledge-bases" },
  { method: "GET", path: "/v1/knowledge-bases/{kb}" },
  { method: "DELETE", path: "/v1/knowledge-bases/{id}" },
  { method: "POST", path: "/v1/knowledge-bases/{kb}/documents", upstream: true, body: () => ({ documents: [{ name: "a.txt", text: "hello world", format: "text", metadata: { lang: "en" } }], force: false }) },
  { method: "GET", path: "/v1/knowledge-bases/{kb}/documents" },
  { method: "GET", path: "/v1/knowledge-bases/{kb}/documents/{id}" },
  { method: "DELETE", path: "/v1/knowledge-bases/{kb}/documents/{id}" },
  {
    method: "POST", path: "/v1/knowledge-bases/{kb}/query", upstream: true,
    body: () => ({ query: "hello", top_k: 3, mode: "hybrid", filter: { document_ids: ["seed.txt"], metadata: { lang: "en" } }, threshold: { min_lexical_score: 0 }, weights: { lexical: 1, vector: 1 }, diversity: 0.5 }),
  },
  { method: "POST", path: "/v1/knowledge-bases/{kb}/reindex", upstream: true, body: () => ({ embedding_model: "bert", chunk_size: 64, chunk_overlap: 8 }) },
  { method: "GET", path: "/v1/knowledge-bases/{kb}/jobs" },
  { method: "GET", path: "/v1/knowledge-bases/{kb}/jobs/{id}" },
  { method: "GET", path: "/v1/knowledge-bases/{kb}/grants" },
  { method: "POST", path: "/v1/knowledge-bases/{kb}/grants", body: () => ({ key: "aip_fuzz_not_a_key" }) },
  { method: "DELETE", path: "/v1/knowledge-bases/{kb}/grants/{id}" },
  { method: "GET", path: "/v1/evals/tasks" },
  { method: "GET", path: "/v1/evals/compare", query: { a: ["{id}"], b: ["{id}"], metric: ["acc", ""] } },
  { method: "POST", path: "/v1/evals", upstream: true, body: () => ({ task: "arc_easy", model: "stories", limit: 1, shots: 0, scoring: "llama.cpp", samples: 1, timeout_ms: 1000 }) },
  { method: "GET", path: "/v1/evals", query: { task: ["arc_easy", ""], model: ["stories"], status: ["running", "bogus"], limit: numbers } },
  { method: "GET", path: "/v1/evals/{id}" },
  { method: "GET", path: "/v1/evals/{id}/items", query: { offset: numbers, limit: numbers } },
  { method: "POST", path: "/v1/evals/{id}/cancel" },
  { method: "POST", path: "/v1/arena/battles", upstream: true, body: () => ({ prompt: "Hi", models: ["stories", "tiny"], max_tokens: 2, temperature: 0, stream: false, category: "fuzz", sampling: "uniform" }) },
  { method: "GET", path: "/v1/arena/battles/{battle}" },
  { method: "POST", path: "/v1/arena/battles/{battle}/vote", body: () => ({ winner: "a" }) },
  { method: "GET", path: "/v1/arena/leaderboard", query: { category: ["fuzz", ""], rounds: numbers, seed: numbers } },
  { method: "POST", path: "/v1/arena/import", text: true, admin: true, body: () => ({ battles: [{ model_a: "x", model_b: "y", winner: "model_a" }] }) },
  { method: "GET", path: "/v1/arena/export", admin: true },
  {
    method: "POST", path: "/v1/admin/keys", admin: true,
    body: (random) => ({ name: `fuzz-${random.int(1000)}`, models: ["stories"], rpm: 1000, tpm: 100000, budget: 5, budget_period: "month", expires_at: 4_102_444_800, is_admin: false }),
  },
  { method: "GET", path: "/v1/admin/keys", admin: true },
  { method: "GET", path: "/v1/admin/keys/{id}", admin: true },
  { method: "PATCH", path: "/v1/admin/keys/{id}", admin: true, body: () => ({ name: "renamed", rpm: 5, expires_at: "2100-01-01T00:00:00Z" }) },
  { method: "DELETE", path: "/v1/admin/keys/{id}", admin: true },
  {
    method: "POST", path: "/v1/admin/providers", admin: true,
    body: (random) => ({ name: `fuzzprov${random.int(1000)}`, base_url: "http://127.0.0.1:9/v1", api_key: "x", models: ["fuzz-upstream"], priority: 1, timeout_ms: 1000 }),
  },
  { method: "GET", path: "/v1/admin/providers", admin: true },
  { method: "GET", path: "/v1/admin/providers/{id}", admin: true },
  { method: "DELETE", path: "/v1/admin/providers/{id}", admin: true },
  { method: "POST", path: "/v1/admin/models", admin: true, body: () => ({ path: "/nonexistent/fuzz.gguf", name: "fuzzmodel" }) },
  { method: "GET", path: "/v1/admin/models", admin: true },
  { method: "GET", path: "/v1/admin/models/{id}", admin: true },
  { method: "DELETE", path: "/v1/admin/models/{id}", admin: true, query: { force: ["true", "maybe"] } },
  { method: "PUT", path: "/v1/admin/prices/{id}", admin: true, body: () => ({ input_per_million: 1, output_per_million: 2 }) },
  { method: "GET", path: "/v1/admin/prices", admin: true },
  { method: "GET", path: "/v1/admin/prices/{id}", admin: true },
  { method: "DELETE", path: "/v1/admin/prices/{id}", admin: true },
  {
    method: "GET", path: "/v1/admin/usage", admin: true,
    query: { by: ["key,model,day", "route,endpoint", "bogus", "", ",,,"], since: ["2020-01-01", "1700000000", "garbage", "9".repeat(40)], until: ["2100-01-01", "-1"], key_id: ["{id}"], model: ["stories"] },
  },
  { method: "GET", path: "/v1/admin/usage/records", admin: true, query: { limit: numbers, since: ["2020-01-01", "nope"], key_id: ["{id}"] } },
  { method: "GET", path: "/v1/admin/runtime", admin: true },
];

// ---------------------------------------------------------------------------------------------------------------
// Request generation

/** Paths to every value inside a JSON value. */
function valuePaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const paths: (string | number)[][] = prefix.length > 0 ? [prefix] : [];
  if (Array.isArray(value)) value.forEach((item, index) => paths.push(...valuePaths(item, [...prefix, index])));
  else if (value && typeof value === "object") for (const [key, item] of Object.entries(value)) paths.push(...valuePaths(item, [...prefix, key]));
  return paths;
}

const placeholder = "\u0001FUZZ\u0001";

/** The template with the value at `at` replaced by raw JSON text (or removed). */
function withRawValue(template: unknown, at: (string | number)[], raw: string | undefined): string {
  const copy = structuredClone(template) as Record<string | number, unknown>;
  let parent: Record<string | number, unknown> = copy;
  for (const key of at.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = at[at.length - 1]!;
  if (raw === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
    return JSON.stringify(copy);
  }
  parent[last] = placeholder;
  return JSON.stringify(copy).replace(JSON.stringify(placeholder), () => raw);
}

function withUnknownField(template: unknown, name: string, random: Random): string {
  const text = JSON.stringify(template);
  const value = random.pick(["1", "true", '"x"', "null", "{}", "[]"]);
  return `{${JSON.stringify(name)}:${value},${text.slice(1)}`;
}

function withInvalidUtf8(template: unknown, random: Random): Buffer {
  const text = JSON.stringify(template);
  const strings = [...text.matchAll(/":"/g)].map((match) => match.index + 3);
  const at = strings.length > 0 ? random.pick(strings) : 1;
  return Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(random.pick(invalidUtf8)), Buffer.from(text.slice(at))]);
}

function multipartBody(random: Random): { body: Buffer; contentType: string } {
  const boundary = `fuzz${random.int(1e9)}`;
  const fileName = random.pick(["../../etc/passwd", "a\u0000b.txt", "", "x".repeat(2_000), "..", "/etc/shadow", "💥.md", "a\r\nb.txt", "notes.txt"]);
  const metadata = random.pick(['{"lang":"en"}', "not json", "[1]", '{"a":{"b":1}}', nested(10_000, "object"), ""]);
  const parts = [
    `--${boundary}\r\ncontent-disposition: form-data; name="metadata"\r\n\r\n${metadata}\r\n`,
    `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${fileName}"\r\ncontent-type: text/plain\r\n\r\nhello multipart\r\n`,
    random.chance(0.7) ? `--${boundary}--\r\n` : "",
  ];
  const contentType = random.pick([`multipart/form-data; boundary=${boundary}`, "multipart/form-data", "multipart/form-data; boundary=other", `multipart/form-data; boundary="${boundary}"`]);
  return { body: Buffer.from(parts.join("")), contentType };
}

function authorizationHeader(random: Random, route: RouteSpec): string | undefined {
  if (random.chance(0.88)) return `Bearer ${route.admin || random.chance(0.6) ? adminKey : userKey}`;
  return random.pick([
    undefined, "", "Bearer", "Bearer ", `bearer ${adminKey}`, `Basic ${Buffer.from(`user:${adminKey}`).toString("base64")}`, `Bearer ${adminKey}x`,
    `Bearer aip_${"A".repeat(8_000)}`, `Bearer ${adminKey} ${adminKey}`, `Token ${adminKey}`, "Bearer \t", "Bearer null", "Bearer ' OR 1=1 --",
    `Bearer ${userKey}`, `Bearer ${userKey.slice(0, 12)}`, "Bearer aip_", `Bearer ${"é".repeat(20)}`,
  ]);
}

function fillPath(template: string, random: Random): string {
  return template
    .replace("{kb}", () => (random.chance(0.7) ? "fuzz-kb" : random.pick(hostileIds)))
    .replace("{battle}", () => (random.chance(0.5) ? battleId : random.pick(hostileIds)))
    .replace("{id}", () => (random.chance(0.2) ? `id-${random.int(1e6)}` : random.pick(hostileIds)));
}

function queryString(route: RouteSpec, random: Random): string {
  if (!route.query) return random.chance(0.05) ? `?${random.pick(["%ZZ", "a=%", "a&&&b==c", `x=${"y".repeat(2_000)}`, "a[b]=1&a[c]=2"])}` : "";
  const parts: string[] = [];
  for (const [name, values] of Object.entries(route.query)) {
    if (random.chance(0.5)) continue;
    const value = random.chance(0.15) ? random.pick(hostileIds) : encodeURIComponent(random.pick(values).replace("{id}", () => random.pick(hostileIds)));
    parts.push(`${name}=${value}`);
    if (random.chance(0.05)) parts.push(`${name}=${value}`);
  }
  return parts.length > 0 ? `?${parts.join("&")}` : "";
}

const contentTypes = [undefined, "text/plain", "application/x-www-form-urlencoded", "application/json; charset=utf-16", "application/octet-stream", "multipart/form-data", "application/json;;;", "*/*"];
const otherMethods = ["PUT", "PATCH", "DELETE", "GET", "POST", "OPTIONS", "HEAD", "TRACE", "PROPFIND"];

/** One request; `index` drives the few very large bodies, the rest is random. */
function generateRequest(index: number, random: Random): FuzzRequest {
  const route = random.pick(routes);
  const headers: Record<string, string> = {};
  const authorization = route.noAuth && random.chance(0.5) ? undefined : authorizationHeader(random, route);
  if (authorization !== undefined) headers.authorization = authorization;
  let method: string = route.method;
  let label: string;
  let body: Buffer | undefined;
  let chunked = false;
  let upstream: boolean | undefined;
  let pathText = fillPath(route.path, random) + queryString(route, random);

  if (index % 625 === 7) {
    // A body over the limit (5 MB): 413, by content-length or while reading a chunked body.
    const target = random.pick(routes.filter((candidate) => candidate.body !== undefined));
    method = target.method;
    upstream = target.upstream === true;
    pathText = fillPath(target.path, random);
    body = Buffer.from(JSON.stringify({ model: "stories", prompt: "x".repeat(5 * 1024 * 1024) }));
    chunked = index % 1250 === 7;
    label = `5 MB body${chunked ? " (chunked)" : ""}`;
  } else if (index % 625 === 19) {
    // A large body under the limit (3 MB) to a route that tokenizes it.
    const target = routes.find((candidate) => candidate.path === (index % 1250 === 19 ? "/v1/chat/completions" : "/v1/completions"))!;
    method = target.method;
    upstream = true;
    pathText = target.path;
    const text = "Once upon a time ".repeat(180_000);
    body = Buffer.from(JSON.stringify(target.path.includes("chat") ? { model: "stories", messages: [{ role: "user", content: text }], max_tokens: 2 } : { model: "stories", prompt: text, max_tokens: 2 }));
    label = "3 MB prompt";
  } else if (random.chance(0.08)) {
    method = random.pick(otherMethods.filter((candidate) => candidate !== route.method));
    if (method !== "GET" && method !== "HEAD" && random.chance(0.5)) body = Buffer.from('{"model":"stories"}');
    label = "wrong method";
  } else if (route.body) {
    const template = route.body(random);
    const roll = random.int(100);
    if (roll < 30) {
      const paths = valuePaths(template);
      const at = random.pick(paths);
      const raw = hostileValue(random);
      body = Buffer.from(withRawValue(template, at, raw));
      label = `${at.join(".")} = ${raw.slice(0, 40)}`;
    } else if (roll < 42) {
      const at = random.pick(valuePaths(template));
      body = Buffer.from(withRawValue(template, at, undefined));
      label = `without ${at.join(".")}`;
    } else if (roll < 54) {
      const name = random.pick(unknownFields);
      body = Buffer.from(withUnknownField(template, name, random));
      label = `unknown field ${name.slice(0, 20)}`;
    } else if (roll < 66) {
      body = random.pick(garbageBodies)();
      label = `garbage body ${body.subarray(0, 20).toString("latin1")}`;
    } else if (roll < 74) {
      body = withInvalidUtf8(template, random);
      label = "invalid UTF-8";
    } else if (roll < 80 && route.path.endsWith("/documents")) {
      const multipart = multipartBody(random);
      body = multipart.body;
      headers["content-type"] = multipart.contentType;
      label = "multipart";
    } else if (roll < 84) {
      body = Buffer.from(JSON.stringify(template));
      label = "template";
    } else {
      // Two mutations at once.
      const paths = valuePaths(template);
      const first = random.pick(paths);
      const once = JSON.parse(withRawValue(template, first, random.pick(jsonLiterals))) as unknown;
      const secondPaths = valuePaths(once);
      const second = secondPaths.length > 0 ? random.pick(secondPaths) : first;
      body = Buffer.from(secondPaths.length > 0 ? withRawValue(once, second, hostileValue(random)) : JSON.stringify(once));
      label = `${first.join(".")} and ${second.join(".")} mutated`;
    }
    if (route.text && random.chance(0.5)) body = Buffer.from(random.pick(["", "not json", "[]", '{"battles":"x"}', "\n\n\n", nested(10_000, "array")]));
  } else {
    label = "query/path";
  }

  if (headers["content-type"] === undefined) {
    const contentType = random.chance(0.1) ? random.pick(contentTypes) : "application/json";
    if (contentType !== undefined && body !== undefined) headers["content-type"] = contentType;
  }
  return { label, method, path: pathText, headers, body, chunked, upstream: upstream ?? route.upstream === true };
}

// ---------------------------------------------------------------------------------------------------------------

function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

async function settledRss(pid: number): Promise<number> {
  for (let round = 0; round < 3; round += 1) {
    process.kill(pid, "SIGUSR2");
    await new Promise((resolve) => setTimeout(resolve, 700));
  }
  return rssBytes(pid);
}

async function call(method: string, pathText: string, body?: unknown, key = adminKey): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${pathText}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function waitForJobs(): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const jobs = await call("GET", "/v1/knowledge-bases/fuzz-kb/jobs");
    const data = (jobs.json.data ?? []) as { status: string }[];
    if (data.every((job) => job.status !== "queued" && job.status !== "running")) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  server = await spawnServer({
    AIPLUS_HOME: home,
    AIPLUS_ADMIN_KEY: adminKey,
    AIPLUS_THREADS: "1",
    AIPLUS_GPU: "cpu",
    AIPLUS_LOG_LEVEL: "error",
    AIPLUS_SEQUENCES: "2",
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --expose-gc`.trim(),
  });
  for (const [file, name] of [["stories260K.gguf", "stories"], ["llama-2-tiny-random.gguf", "tiny"], ["tiny-bert-random.gguf", "bert"]] as const) {
    expect((await call("POST", "/v1/admin/models", { path: await testModelPath(file), name })).status).toBe(201);
  }
  userKey = String((await call("POST", "/v1/admin/keys", { name: "fuzz-user" })).json.key);
  expect((await call("POST", "/v1/knowledge-bases", { name: "fuzz-kb", embedding_model: "bert" })).status).toBe(201);
  expect((await call("POST", "/v1/knowledge-bases/fuzz-kb/documents", { documents: [{ name: "seed.txt", text: "hello world, a seed document" }] })).status).toBe(202);
  const battle = await call("POST", "/v1/arena/battles", { prompt: "Hi", models: ["stories", "tiny"], max_tokens: 2 });
  expect(battle.status).toBe(200);
  battleId = String(battle.json.id);
  // Warm every path once (models loaded, contexts created) so the baseline holds what a serving process holds.
  expect((await call("POST", "/v1/chat/completions", { model: "stories", messages: [{ role: "user", content: "Hi" }], max_tokens: 2 })).status).toBe(200);
  expect((await call("POST", "/v1/embeddings", { model: "bert", input: "hello" })).status).toBe(200);
  expect((await call("POST", "/v1/knowledge-bases/fuzz-kb/query", { query: "hello" })).status).toBe(200);
  await waitForJobs();
}, 180_000);

describe("HTTP fuzz", () => {
  it(`${totalRequests} malformed and hostile requests: no 500, OpenAI error JSON, the server stays up, RSS back near baseline`, async () => {
    const problems: string[] = [];
    const statuses = new Map<number, number>();
    const run = async (requests: FuzzRequest[], name: string) => {
      let next = 0;
      const worker = async () => {
        for (let index = next++; index < requests.length; index = next++) {
          const request = requests[index]!;
          const response = await send(request, server.url);
          if (!("transportError" in response)) statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          const problem = problemOf(request, response);
          if (problem) problems.push(`${name} #${index} ${request.method} ${request.path.slice(0, 120)} [${request.label}]: ${problem}`);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
    };
    // A warm-up round of another seed first: the baseline then holds what serving this traffic allocates once
    // (contexts, compiled code, caches, allocator arenas), and the growth after the main round is what it keeps.
    const warmupRandom = new Random(seed ^ 0x5bd1e995);
    await run(Array.from({ length: warmupRequests }, (_, index) => generateRequest(index, warmupRandom)), "warm-up");
    await waitForJobs();
    const baseline = await settledRss(server.child.pid!);
    const random = new Random(seed);
    await run(Array.from({ length: totalRequests }, (_, index) => generateRequest(index, random)), "fuzz");

    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(server.child.exitCode).toBeNull();
    await waitForJobs();
    const after = await settledRss(server.child.pid!);
    const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    console.log(
      `fuzz seed ${seed}: ${warmupRequests} + ${totalRequests} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}; ` +
        `RSS baseline ${megabytes(baseline)}, after ${megabytes(after)} (growth ${megabytes(after - baseline)}, tolerance ${megabytes(rssToleranceBytes)})`,
    );
    expect(problems.slice(0, 30)).toEqual([]);
    expect(after).toBeLessThanOrEqual(baseline + rssToleranceBytes);
  }, 300_000);
});

describe("fuzz regressions", () => {
  it("a body over the limit is a 413 in OpenAI's shape, by content-length and chunked", async () => {
    const body = Buffer.from(JSON.stringify({ model: "stories", prompt: "x".repeat(bodyLimitBytes + 1024) }));
    for (const chunked of [false, true]) {
      const request: FuzzRequest = { label: "5 MB", method: "POST", path: "/v1/completions", headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" }, body, chunked };
      const response = await send(request, server.url);
      expect(problemOf(request, response)).toBeUndefined();
      if (!chunked || "status" in response) expect("status" in response && response.status).toBe(413);
      if ("status" in response) expect(response.headers.connection).toBe("close");
    }
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});
