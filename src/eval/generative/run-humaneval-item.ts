import { runSandboxed, type SandboxResult } from "../../sandbox/index.js";
import type { HumanevalItem } from "../datasets/humaneval-jsonl.js";
import { humanevalProgram } from "./humaneval-program.js";

export type HumanevalCheckOptions = {
  /** Wall-clock limit of the program. Defaults to 3000 ms (human-eval's 3.0 s). */
  timeoutMilliseconds?: number | undefined;
  /** Address-space limit in MiB. Defaults to the sandbox's (512). */
  memoryMegabytes?: number | undefined;
  signal?: AbortSignal | undefined;
};

export type HumanevalCheck = { taskId: string; completion: string; passed: boolean; result: SandboxResult };

/**
 * Executes `prompt + completion` with the item's tests in the code sandbox (src/sandbox); passes when the process exits
 * 0. Throws SandboxUnavailableError where the sandbox cannot run: the code is never run without it.
 */
export async function checkHumanevalCompletion(item: HumanevalItem, completion: string, options: HumanevalCheckOptions = {}): Promise<HumanevalCheck> {
  const result = await runSandboxed({
    language: "python",
    program: humanevalProgram(item, completion),
    limits: { wallTimeMilliseconds: options.timeoutMilliseconds ?? 3000, memoryMegabytes: options.memoryMegabytes },
    signal: options.signal,
  });
  return { taskId: item.taskId, completion, passed: result.status === "passed", result };
}
