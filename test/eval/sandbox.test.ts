import { describe, expect, it } from "vitest";
import { checkHumanevalCompletion, loadHumanevalJsonl } from "../../src/eval/index.js";
import { datasetPath } from "./support/datasets-path.js";

// HumanEval programs run in the code sandbox (src/sandbox; its escape tests are test/sandbox/sandbox.test.ts).
describe("HumanEval in the code sandbox", () => {
  it("passes every canonical HumanEval solution", async () => {
    const items = await loadHumanevalJsonl(datasetPath("humaneval/HumanEval.first20.jsonl"));
    const results = [];
    for (const item of items) results.push(await checkHumanevalCompletion(item, item.canonicalSolution, { timeoutMilliseconds: 10_000 }));
    expect(results.filter((result) => !result.passed).map((result) => [result.taskId, result.result.reason, result.result.stderr])).toEqual([]);
  });

  it("fails a wrong or broken completion, with the reason", async () => {
    const [item] = await loadHumanevalJsonl(datasetPath("humaneval/HumanEval.first20.jsonl"));
    const wrong = await checkHumanevalCompletion(item!, "    return False\n");
    expect(wrong.passed).toBe(false);
    expect(wrong.result).toMatchObject({ status: "failed", reason: "exit code 1" });
    expect(wrong.result.stderr).toContain("AssertionError");
    const broken = await checkHumanevalCompletion(item!, "    return (\n");
    expect(broken.result.status).toBe("failed");
    expect(broken.result.stderr).toContain("SyntaxError");
  });

  it("records a completion that loops forever or escapes as a failure, not an error", async () => {
    const [item] = await loadHumanevalJsonl(datasetPath("humaneval/HumanEval.first20.jsonl"));
    const looping = await checkHumanevalCompletion(item!, "    while True:\n        pass\n", { timeoutMilliseconds: 1000 });
    expect(looping.passed).toBe(false);
    expect(looping.result.status).toBe("timeout");
    const escaping = await checkHumanevalCompletion(item!, "    import os\n    return os.listdir('/etc')\n");
    expect(escaping.passed).toBe(false);
    expect(escaping.result.stderr).toContain("FileNotFoundError");
  });
});
