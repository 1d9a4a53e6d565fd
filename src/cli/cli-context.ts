import type { Command } from "commander";
import type { Config } from "../config/index.js";
import type { Platform } from "../platform/index.js";
import type { Database } from "../store/index.js";

// Heavy modules (zod schemas, kysely, node-llama-cpp) load inside actions, so `--help` and usage errors stay fast.

/** Config flags a command may pass on top of the global `--home`. */
export type ConfigFlags = { host?: string | undefined; port?: number | undefined; threads?: number | undefined };

/** Resolves the configuration: flags (global `--home` plus `flags`) → environment → config file → defaults. */
export async function resolveConfig(command: Command, flags: ConfigFlags = {}): Promise<Config> {
  const { loadConfig } = await import("../config/index.js");
  const globals = command.optsWithGlobals<{ home?: string }>();
  return loadConfig({ flags: { home: globals.home, ...flags } });
}

/**
 * Opens the state database for one command and closes it afterwards. SQLite runs in WAL mode, so this works while a
 * server uses the same state folder.
 */
export async function withDatabase<Result>(config: Config, use: (database: Database) => Promise<Result>): Promise<Result> {
  const { openDatabase } = await import("../store/index.js");
  const database = await openDatabase(config.databaseUrl);
  try {
    return await use(database);
  } finally {
    await database.dispose();
  }
}

/**
 * Runs `use` with an in-process platform over the state folder (no server needed, nothing listens; a running server
 * on the same AIPLUS_HOME shares the files). Logs go to stderr so stdout carries only the command's output; the
 * platform is disposed afterwards.
 */
export async function withPlatform<Result>(config: Config, use: (platform: Platform) => Promise<Result>): Promise<Result> {
  const { createPlatform } = await import("../platform/index.js");
  const { pino } = await import("pino");
  const platform = await createPlatform({
    config,
    logger: pino({ level: config.logLevel === "info" ? "warn" : config.logLevel }, pino.destination(2)),
    onAdminKeyCreated: (key) => process.stderr.write(`aiplus: created the admin key (shown once, store it now): ${key}\n`),
  });
  try {
    return await use(platform);
  } finally {
    await platform.dispose();
  }
}
