import type { HumanevalItem } from "../datasets/humaneval-jsonl.js";
import { humanevalProgram } from "./humaneval-program.js";
import { runPythonSandboxed, type SandboxOptions, type SandboxResult } from "./run-python-sandboxed.js";

export type HumanevalCheck = { taskId: string; completion: string; passed: boolean; result: SandboxResult };

/** Executes `prompt + completion` with the item's tests in the sandbox; passes when the process exits 0. */
export async function checkHumanevalCompletion(item: HumanevalItem, completion: string, options: SandboxOptions = {}): Promise<HumanevalCheck> {
  const result = await runPythonSandboxed(humanevalProgram(item, completion), options);
  return { taskId: item.taskId, completion, passed: result.status === "passed", result };
}
