import type { Command } from "commander";
import type { KnowledgeService } from "../../../rag/index.js";
import type { Platform } from "../../../platform/index.js";
import { resolveConfig, withPlatform } from "../../cli-context.js";

/**
 * Runs `use` with the knowledge service of an in-process platform over the state folder (no server needed; a running
 * server on the same AIPLUS_HOME shares the files). Logs go to stderr; the platform is disposed afterwards.
 */
export async function withKnowledge<Result>(command: Command, use: (knowledge: KnowledgeService, platform: Platform) => Promise<Result>): Promise<Result> {
  return withPlatform(await resolveConfig(command), (platform) => use(platform.knowledge, platform));
}
