import type { Command } from "commander";
import type { KnowledgeService } from "../../../rag/index.js";
import type { Platform } from "../../../platform/index.js";
import { resolveConfig } from "../../cli-context.js";

/**
 * Runs `use` with the knowledge service of an in-process platform over the state folder (no server needed; a running
 * server on the same AIPLUS_HOME shares the files). Logs go to stderr; the platform is disposed afterwards.
 */
export async function withKnowledge<Result>(command: Command, use: (knowledge: KnowledgeService, platform: Platform) => Promise<Result>): Promise<Result> {
  const config = await resolveConfig(command);
  const { createPlatform } = await import("../../../platform/index.js");
  const { pino } = await import("pino");
  const platform = await createPlatform({
    config,
    logger: pino({ level: config.logLevel === "info" ? "warn" : config.logLevel }, pino.destination(2)),
    onAdminKeyCreated: (key) => process.stderr.write(`aiplus: created the admin key (shown once, store it now): ${key}\n`),
  });
  try {
    return await use(platform.knowledge, platform);
  } finally {
    await platform.dispose();
  }
}
