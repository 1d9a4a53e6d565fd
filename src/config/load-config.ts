import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { InvalidRequestError } from "../spec/index.js";
import { configSchema, type Config, type ConfigInput } from "./schema.js";

/** Environment variable for each setting. */
const environmentNames: Record<keyof ConfigInput, string> = {
  home: "AIPLUS_HOME",
  host: "AIPLUS_HOST",
  port: "AIPLUS_PORT",
  threads: "AIPLUS_THREADS",
  gpu: "AIPLUS_GPU",
  adminKey: "AIPLUS_ADMIN_KEY",
  keySecret: "AIPLUS_KEY_SECRET",
  databaseUrl: "AIPLUS_DATABASE_URL",
  redisUrl: "AIPLUS_REDIS_URL",
  redisPrefix: "AIPLUS_REDIS_PREFIX",
  jobLeaseSeconds: "AIPLUS_JOB_LEASE_SECONDS",
  modelsDir: "AIPLUS_MODELS_DIR",
  huggingFaceUrl: "AIPLUS_HUGGING_FACE_URL",
  engine: "AIPLUS_ENGINE",
  nativeDir: "AIPLUS_NATIVE_DIR",
  memoryBudget: "AIPLUS_MEMORY_BUDGET",
  sequences: "AIPLUS_SEQUENCES",
  contextSize: "AIPLUS_CONTEXT_SIZE",
  idleUnloadSeconds: "AIPLUS_IDLE_UNLOAD_SECONDS",
  maxQueue: "AIPLUS_MAX_QUEUE",
  retryAttempts: "AIPLUS_RETRY_ATTEMPTS",
  retryBaseMs: "AIPLUS_RETRY_BASE_MS",
  retryMaxDelayMs: "AIPLUS_RETRY_MAX_DELAY_MS",
  retryAfterMaxWaitMs: "AIPLUS_RETRY_AFTER_MAX_WAIT_MS",
  breakerThreshold: "AIPLUS_BREAKER_THRESHOLD",
  breakerCooldownSeconds: "AIPLUS_BREAKER_COOLDOWN_SECONDS",
  upstreamHealthCheckSeconds: "AIPLUS_UPSTREAM_HEALTH_CHECK_SECONDS",
  bodyLimit: "AIPLUS_BODY_LIMIT",
  defaultReserveTokens: "AIPLUS_DEFAULT_RESERVE_TOKENS",
  streamCoalesceMs: "AIPLUS_STREAM_COALESCE_MS",
  drainSeconds: "AIPLUS_DRAIN_SECONDS",
  approvalTtlSeconds: "AIPLUS_APPROVAL_TTL_SECONDS",
  logLevel: "AIPLUS_LOG_LEVEL",
  mcpAllowedHosts: "AIPLUS_MCP_ALLOWED_HOSTS",
  otlpEndpoint: "AIPLUS_OTLP_ENDPOINT",
  httpFetchAllowedHosts: "AIPLUS_HTTP_FETCH_ALLOWED_HOSTS",
  httpFetchMaxBytes: "AIPLUS_HTTP_FETCH_MAX_BYTES",
  imageUrlAllowedHosts: "AIPLUS_IMAGE_URL_ALLOWED_HOSTS",
  imageMaxBytes: "AIPLUS_IMAGE_MAX_BYTES",
  imageFetchTimeoutMs: "AIPLUS_IMAGE_FETCH_TIMEOUT_MS",
  consoleSessionHours: "AIPLUS_CONSOLE_SESSION_HOURS",
  consoleDir: "AIPLUS_CONSOLE_DIR",
};

/**
 * `AIPLUS_*` variables that are not settings, so no warning names them: the config file's path, the CLI's debug
 * switch, and what tests and benchmarks read (every `AIPLUS_TEST_*` too).
 */
const otherEnvironmentNames: ReadonlySet<string> = new Set([
  "AIPLUS_CONFIG",
  "AIPLUS_DEBUG",
  "AIPLUS_TEST_MODELS",
  "AIPLUS_TEST_DATASETS",
  "AIPLUS_TEST_POSTGRES_URL",
  "AIPLUS_EVAL_CONCURRENCY",
  "AIPLUS_FUZZ_SEED",
  "AIPLUS_NATIVE_JOBS",
  "AIPLUS_NATIVE_EXTRA_TARGETS",
]);

export type LoadConfigOptions = {
  /** Defaults to `process.env`. */
  environment?: Record<string, string | undefined>;
  /** Values from CLI flags; they win over everything else. */
  flags?: Partial<Record<keyof ConfigInput, string | number | undefined>>;
  /**
   * Receives one line per ignored setting: an unknown key in the config file, an unknown `AIPLUS_*` variable.
   * Defaults to `aiplus: warning: …` on stderr.
   */
  warn?: ((message: string) => void) | undefined;
};

/** The one module that reads the environment. Throws InvalidRequestError naming the bad setting. */
export function loadConfig({ environment = process.env, flags = {}, warn = printWarning }: LoadConfigOptions = {}): Config {
  const fromEnvironment: Record<string, string> = {};
  for (const [key, name] of Object.entries(environmentNames)) {
    const value = environment[name];
    if (value !== undefined && value !== "") fromEnvironment[key] = value;
  }
  const fromFlags = Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined));
  const home = String(fromFlags.home ?? fromEnvironment.home ?? configSchema.shape.home.parse(undefined));
  const file = environment.AIPLUS_CONFIG ?? path.join(home, "config.json");
  const fromFile = readConfigFile(file);
  for (const warning of ignoredSettings(fromFile, file, environment)) warn(warning);
  const merged = { ...fromFile, ...fromEnvironment, ...fromFlags, home };
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? "config") as keyof ConfigInput;
    const source = key in fromFlags ? `--${key}` : key in fromEnvironment ? environmentNames[key] : `${key} in ${file}`;
    throw new InvalidRequestError({ message: `invalid setting ${source}: ${issue?.message ?? "invalid"}`, param: key });
  }
  const resolvedHome = path.resolve(parsed.data.home);
  return {
    ...parsed.data,
    home: resolvedHome,
    databaseUrl: parsed.data.databaseUrl ?? `sqlite:${path.join(resolvedHome, "aiplus.db")}`,
    modelsDir: parsed.data.modelsDir ?? path.join(resolvedHome, "models"),
    nativeDir: path.resolve(parsed.data.nativeDir ?? defaultNativeDir(environment)),
  };
}

/** Where scripts/build-native.sh puts the native engine by default: `$XDG_CACHE_HOME/aiplus/native`. */
function defaultNativeDir(environment: Record<string, string | undefined>): string {
  const cache = environment.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(cache, "aiplus", "native");
}

/** What `loadConfig` would silently ignore: unknown config file keys and unknown `AIPLUS_*` variables. */
function ignoredSettings(fromFile: Record<string, unknown>, file: string, environment: Record<string, string | undefined>): string[] {
  const keys = Object.keys(environmentNames);
  const names = Object.values(environmentNames);
  const warnings = Object.keys(fromFile)
    .filter((key) => !keys.includes(key))
    .map((key) => `unknown setting "${key}" in ${file} is ignored${didYouMean(key, keys)}`);
  for (const name of Object.keys(environment).sort()) {
    if (!name.startsWith("AIPLUS_") || name.startsWith("AIPLUS_TEST_") || names.includes(name) || otherEnvironmentNames.has(name)) continue;
    warnings.push(`unknown environment variable ${name} is ignored${didYouMean(name, names)}`);
  }
  return warnings;
}

/** `; did you mean port?` for a near miss (at most 2 edits, or the same in another case), else nothing. */
function didYouMean(unknown: string, known: readonly string[]): string {
  const distance = (left: string, right: string): number => {
    let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
    for (let row = 1; row <= left.length; row += 1) {
      const current = [row];
      for (let column = 1; column <= right.length; column += 1) {
        const substitution = previous[column - 1]! + (left[row - 1] === right[column - 1] ? 0 : 1);
        current.push(Math.min(previous[column]! + 1, current[column - 1]! + 1, substitution));
      }
      previous = current;
    }
    return previous[right.length]!;
  };
  const best = known
    .map((candidate) => ({ candidate, cost: candidate.toLowerCase() === unknown.toLowerCase() ? 0 : distance(unknown, candidate) }))
    .sort((left, right) => left.cost - right.cost)[0];
  return best && best.cost <= 2 ? `; did you mean ${best.candidate}?` : "";
}

function printWarning(message: string): void {
  process.stderr.write(`aiplus: warning: ${message}\n`);
}

function readConfigFile(file: string): Record<string, unknown> {
  if (!fs.existsSync(file)) return {};
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new InvalidRequestError({ message: `cannot read config file ${file}`, cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidRequestError({ message: `config file ${file} is not valid JSON`, cause: error });
  }
  const parsed = z.record(z.string(), z.unknown()).safeParse(value);
  if (!parsed.success) throw new InvalidRequestError({ message: `config file ${file} must hold a JSON object` });
  return parsed.data;
}
