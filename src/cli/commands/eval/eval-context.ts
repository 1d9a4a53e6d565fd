import type { Command } from "commander";
import type { EvalRunDependencies, EvalService } from "../../../eval/index.js";
import type { Platform } from "../../../platform/index.js";
import type { Database } from "../../../store/index.js";
import { resolveConfig, withDatabase, withPlatform } from "../../cli-context.js";

/**
 * Runs `use` with the evaluation service of an in-process platform over the state folder (runs execute here, through
 * the platform's runtime and gateway, like `aiplus chat`); logs go to stderr and the platform is disposed afterwards.
 */
export async function withEvaluation<Result>(command: Command, use: (evaluation: EvalService, platform: Platform) => Promise<Result>): Promise<Result> {
  return withPlatform(await resolveConfig(command), (platform) => use(platform.evaluation, platform));
}

/** Read-only access to runs and battles: the database alone (no runtime, no models loaded). */
export async function withEvalDatabase<Result>(command: Command, use: (dependencies: EvalRunDependencies, database: Database) => Promise<Result>): Promise<Result> {
  const config = await resolveConfig(command);
  const { InvalidRequestError } = await import("../../../spec/index.js");
  return withDatabase(config, (database) =>
    use(
      {
        database,
        loglikelihoodBackend: () => {
          throw new InvalidRequestError({ message: "this command does not execute runs" });
        },
      },
      database,
    ),
  );
}
