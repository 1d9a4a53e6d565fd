import os from "node:os";
import path from "node:path";
import { z } from "zod";

const byteSize = z.union([z.number().int().positive(), z.string().regex(/^\d+(\.\d+)?\s*(b|kb|kib|mb|mib|gb|gib|tb|tib)?$/i)]).transform(parseByteSize);

function parseByteSize(value: number | string): number {
  if (typeof value === "number") return value;
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const amount = Number(match?.[1] ?? Number.NaN);
  const unit = (match?.[2] ?? "b").toLowerCase();
  const factor: Record<string, number> = {
    "": 1, b: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3, tb: 1e12, tib: 1024 ** 4,
  };
  return Math.floor(amount * (factor[unit] ?? Number.NaN));
}

/**
 * Every setting of aiplus with its default. Sources, strongest first: CLI flags, environment
 * (`AIPLUS_*`), the config file (`$AIPLUS_HOME/config.json` or `AIPLUS_CONFIG`), these defaults.
 */
export const configSchema = z.object({
  /** State folder: database, models, secret. Defaults to `~/.aiplus`. */
  home: z.string().min(1).default(path.join(os.homedir(), ".aiplus")),
  /** Interface to listen on. Defaults to `127.0.0.1`. */
  host: z.string().min(1).default("127.0.0.1"),
  /** Port to listen on. Defaults to 8787. */
  port: z.coerce.number().int().min(0).max(65535).default(8787),
  /** llama.cpp threads per model. Defaults to the machine's physical math cores (as node-llama-cpp detects them). */
  threads: z.coerce.number().int().min(1).max(1024).optional(),
  /** GPU backend: `auto` uses CUDA/Vulkan/Metal when a usable binary exists, else CPU. Defaults to `auto`. */
  gpu: z.enum(["auto", "cpu", "cuda", "vulkan", "metal"]).default("auto"),
  /** Bootstrap admin key. When unset, one is generated and printed once on first start. */
  adminKey: z.string().min(16).optional(),
  /** Secret of the keyed hash that stores API keys. Defaults to a random one in `$AIPLUS_HOME/secret`. */
  keySecret: z.string().min(16).optional(),
  /** `sqlite:` file path or `postgres://` URL. Defaults to `$AIPLUS_HOME/aiplus.db`. */
  databaseUrl: z.string().min(1).optional(),
  /**
   * `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS): the Redis every instance shares in the scale-out
   * profile. Rate limits (rpm, tpm, concurrent requests) are counted there; without it they are counted in the
   * database when it is PostgreSQL, else in memory (one instance). Background jobs (ingestion, re-index, eval runs,
   * response and workflow runs, model pulls) are then delivered by BullMQ queues there; without it each instance
   * polls the jobs table. Defaults to none.
   */
  redisUrl: z.url({ protocol: /^rediss?$/, error: "must be a redis:// or rediss:// URL" }).optional(),
  /**
   * Prefix of the job queues' Redis keys (`<prefix>:<job kind>:…`). Deployments that share one Redis need different
   * prefixes (and the instances of one deployment the same). Defaults to `aiplus`.
   */
  redisPrefix: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "letters, digits, _ . - only (at most 64)").default("aiplus"),
  /**
   * Seconds a background job's holder may go without a heartbeat (or, with Redis, without renewing its queue lock)
   * before another runner takes the job over: how soon the work of a crashed or killed instance moves on. Defaults to 30.
   */
  jobLeaseSeconds: z.coerce.number().min(1).max(3600).default(30),
  /** Folder that `aiplus pull` downloads into. Defaults to `$AIPLUS_HOME/models`. */
  modelsDir: z.string().min(1).optional(),
  /** Where `hf:org/repo/file.gguf` pull sources are downloaded from (a mirror, say). Defaults to `https://huggingface.co`. */
  huggingFaceUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).default("https://huggingface.co"),
  /**
   * Local engine: `native` runs each loaded model in a managed llama-server worker built by `aiplus engine build`;
   * `node-llama-cpp` runs models in-process; `auto` picks native when its build is present. Defaults to `auto`.
   */
  engine: z.enum(["auto", "native", "node-llama-cpp"]).default("auto"),
  /** Folder of the native engine build (`bin/llama-server`). Defaults to `$XDG_CACHE_HOME/aiplus/native` (`~/.cache/aiplus/native`). */
  nativeDir: z.string().min(1).optional(),
  /** Memory the model pool may use for weights and KV cache. Defaults to 75% of RAM (or of VRAM on GPU). */
  memoryBudget: byteSize.optional(),
  /** Parallel sequences (concurrent requests decoded together) per loaded model. Defaults to 4. */
  sequences: z.coerce.number().int().min(1).max(256).default(4),
  /** Context size per sequence in tokens. Defaults to the model's training context, capped at 4096. */
  contextSize: z.coerce.number().int().min(16).optional(),
  /** Unload a model after this many idle seconds (0 disables). Defaults to 600. */
  idleUnloadSeconds: z.coerce.number().int().min(0).default(600),
  /** Requests that may wait for a free sequence per model before 503. Defaults to 64. */
  maxQueue: z.coerce.number().int().min(0).default(64),
  /**
   * Retries of a failing upstream route (5xx, 429, timeout, cut stream) after its first try, before failing over to
   * the next route. Only while nothing has reached the client. Defaults to 2.
   */
  retryAttempts: z.coerce.number().int().min(0).max(10).default(2),
  /** Wait before the first retry of a route; doubles on each further retry. Defaults to 200. */
  retryBaseMs: z.coerce.number().int().min(0).max(60_000).default(200),
  /** Upper bound of the wait between retries. Defaults to 2000. */
  retryMaxDelayMs: z.coerce.number().int().min(0).max(300_000).default(2000),
  /**
   * Longest upstream `Retry-After` waited out before retrying the same route; a longer one fails over to the next
   * route at once and pauses the route until then. Defaults to 5000.
   */
  retryAfterMaxWaitMs: z.coerce.number().int().min(0).max(300_000).default(5000),
  /** Consecutive failures of a route that open its circuit breaker (the route is skipped). Defaults to 5. */
  breakerThreshold: z.coerce.number().int().min(1).max(1000).default(5),
  /** Seconds an open circuit skips its route before one trial call is let through. Defaults to 30. */
  breakerCooldownSeconds: z.coerce.number().min(0).max(86_400).default(30),
  /**
   * Seconds between active health checks of the providers (`GET {base_url}/models` with the provider's key): a provider
   * whose latest check failed gets no traffic while another route of the model can serve, until a check succeeds.
   * 0 turns the checks off. Defaults to 0.
   */
  upstreamHealthCheckSeconds: z.coerce.number().min(0).max(3600).default(0),
  /** Largest accepted request body. Defaults to 4 MiB. */
  bodyLimit: byteSize.default(4 * 1024 * 1024),
  /** Completion tokens reserved against budgets when a request sets no `max_tokens`. Defaults to 4096. */
  defaultReserveTokens: z.coerce.number().int().min(1).default(4096),
  /**
   * Streamed responses write the first event at once, then gather the events of this many milliseconds into one
   * socket write (each stays its own SSE event). Saves a syscall and a client wake-up per token; 0 writes every
   * event on its own. Defaults to 5.
   */
  streamCoalesceMs: z.coerce.number().min(0).max(1000).default(5),
  /**
   * Graceful shutdown (SIGTERM/SIGINT): seconds running requests may take to finish before they are ended with a
   * 503 `server_shutting_down` error (streams: an error event). Defaults to 30.
   */
  drainSeconds: z.coerce.number().min(0).max(3600).default(30),
  /**
   * Seconds a server tool call waits for a person's approval before it is denied as "expired" (the run goes on with
   * that result). Defaults to 86400.
   */
  approvalTtlSeconds: z.coerce.number().min(1).max(31_536_000).default(86_400),
  /**
   * Hosts, IP addresses and CIDR ranges (comma-separated) that MCP server URLs may reach although they are loopback or
   * private (`127.0.0.1`, `10.0.0.0/8`, `mcp.internal`). Public addresses are always allowed. Defaults to none.
   */
  mcpAllowedHosts: z
    .union([z.array(z.string()), z.string()])
    .transform((value) => (Array.isArray(value) ? value : value.split(",")).map((entry) => entry.trim()).filter((entry) => entry !== ""))
    .default([]),
  /**
   * Hosts the built-in `http_fetch` server tool may fetch (comma-separated): exact host names or addresses, `*.domain`
   * (any subdomain), CIDR ranges, or `*` (any host). Loopback and private addresses are reached only when an exact host,
   * address or CIDR entry names them (never through `*` or `*.domain`). Defaults to none: every fetch is refused.
   */
  httpFetchAllowedHosts: z
    .union([z.array(z.string()), z.string()])
    .transform((value) => (Array.isArray(value) ? value : value.split(",")).map((entry) => entry.trim().toLowerCase()).filter((entry) => entry !== ""))
    .default([]),
  /** Largest body `http_fetch` reads, in bytes (a larger body is refused). Defaults to 1 MiB. */
  httpFetchMaxBytes: z.coerce.number().int().min(1024).max(67_108_864).default(1_048_576),
  /**
   * Hosts that chat `image_url` parts with an http(s) URL may be fetched from (comma-separated; same entries as
   * `httpFetchAllowedHosts`: exact hosts or addresses, `*.domain`, CIDR ranges, `*`; loopback and private addresses
   * only when an exact entry names them). Defaults to none: http(s) image URLs are refused (data URLs always work).
   */
  imageUrlAllowedHosts: z
    .union([z.array(z.string()), z.string()])
    .transform((value) => (Array.isArray(value) ? value : value.split(",")).map((entry) => entry.trim().toLowerCase()).filter((entry) => entry !== ""))
    .default([]),
  /** Largest image of a chat `image_url` part (data URL or fetched), in bytes. Defaults to 8 MiB. */
  imageMaxBytes: byteSize.default(8 * 1024 * 1024),
  /** Milliseconds an http(s) image URL may take to fetch (redirects included). Defaults to 10000. */
  imageFetchTimeoutMs: z.coerce.number().int().min(100).max(300_000).default(10_000),
  /**
   * OTLP/HTTP collector that receives each finished run's trace as JSON (`http://collector:4318`, to which
   * `/v1/traces` is appended, or a URL ending in `/v1/traces`). Defaults to none: no trace leaves the server.
   */
  otlpEndpoint: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  /** Hours a web console session lasts after sign-in (`/console/`). Defaults to 12. */
  consoleSessionHours: z.coerce.number().positive().max(8760).default(12),
  /**
   * Folder of the built web console (`index.html`, `assets/`) served at `/console/`. Defaults to `web/dist` of the
   * aiplus installation, found from the program's own location (not the working directory).
   */
  consoleDir: z.string().min(1).optional(),
  /** pino log level. Defaults to `info`. */
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type ConfigInput = z.input<typeof configSchema>;

/** Resolved configuration: every path filled in. */
export type Config = Omit<z.output<typeof configSchema>, "databaseUrl" | "modelsDir" | "nativeDir"> & {
  databaseUrl: string;
  modelsDir: string;
  nativeDir: string;
};
