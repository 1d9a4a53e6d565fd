import fs from "node:fs";
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
  modelsDir: "AIPLUS_MODELS_DIR",
  memoryBudget: "AIPLUS_MEMORY_BUDGET",
  sequences: "AIPLUS_SEQUENCES",
  contextSize: "AIPLUS_CONTEXT_SIZE",
  idleUnloadSeconds: "AIPLUS_IDLE_UNLOAD_SECONDS",
  maxQueue: "AIPLUS_MAX_QUEUE",
  bodyLimit: "AIPLUS_BODY_LIMIT",
  defaultReserveTokens: "AIPLUS_DEFAULT_RESERVE_TOKENS",
  streamCoalesceMs: "AIPLUS_STREAM_COALESCE_MS",
  logLevel: "AIPLUS_LOG_LEVEL",
};

export type LoadConfigOptions = {
  /** Defaults to `process.env`. */
  environment?: Record<string, string | undefined>;
  /** Values from CLI flags; they win over everything else. */
  flags?: Partial<Record<keyof ConfigInput, string | number | undefined>>;
};

/** The one module that reads the environment. Throws InvalidRequestError naming the bad setting. */
export function loadConfig({ environment = process.env, flags = {} }: LoadConfigOptions = {}): Config {
  const fromEnvironment: Record<string, string> = {};
  for (const [key, name] of Object.entries(environmentNames)) {
    const value = environment[name];
    if (value !== undefined && value !== "") fromEnvironment[key] = value;
  }
  const fromFlags = Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined));
  const home = String(fromFlags.home ?? fromEnvironment.home ?? configSchema.shape.home.parse(undefined));
  const file = environment.AIPLUS_CONFIG ?? path.join(home, "config.json");
  const fromFile = readConfigFile(file);
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
  };
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
