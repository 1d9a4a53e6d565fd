import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEvalRunRepository } from "../../src/eval/index.js";
import { openDatabase } from "../../src/store/index.js";
import { aiplusBin, cliEnvironment, jsonOf, runAiplus, temporaryHome } from "../cli/run-aiplus.js";
import { testModelPath } from "../support/test-models.js";
import { datasetPath } from "./support/datasets-path.js";

const home = temporaryHome();
const hellaswag = datasetPath("hellaswag", "hellaswag_val_first200.txt");
const aiplus = (...args: string[]) => runAiplus(args, { home });

type RunView = { id: string; status: string; progress: { done: number; total: number }; interrupted: { holder: string | null; last_heartbeat_at: number | null } | null };

beforeAll(async () => {
  const added = await aiplus("models", "add", await testModelPath("stories260K.gguf"), "--name", "stories");
  expect(added.code, added.stderr).toBe(0);
}, 60_000);
afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
});

/** Polls the state folder's database until a run has committed at least `items` items; returns its id. */
async function waitForCommittedItems(items: number): Promise<string> {
  const database = await openDatabase(`sqlite:${path.join(home, "aiplus.db")}`);
  try {
    for (;;) {
      const [run] = await createEvalRunRepository(database).list({ status: "running" }).catch(() => []);
      if (run && run.doneItems >= items) return run.id;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await database.dispose();
  }
}

describe("an eval run whose process was killed", () => {
  it("is listed as interrupted (not running), and a resume takes it over with a log line", async () => {
    const child = spawn(process.execPath, [aiplusBin, "eval", "run", "--task", "hellaswag", "--model", "stories", "--data", hellaswag, "--limit", "40", "--json"], {
      env: cliEnvironment(home),
      stdio: ["ignore", "ignore", "ignore"],
    });
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on("exit", (code, signal) => resolve(signal ?? code)));
    const id = await waitForCommittedItems(4);
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");

    const listed = jsonOf<RunView[]>(await aiplus("eval", "ls", "--json")).find((run) => run.id === id)!;
    expect(listed.status).toBe("interrupted");
    expect(listed.interrupted!.holder).toContain(`/${child.pid}/`);
    expect(listed.progress.done).toBeGreaterThanOrEqual(4);
    expect(listed.progress.done).toBeLessThan(40);
    expect((await aiplus("eval", "ls")).stdout).toMatch(new RegExp(`${id}\\s+hellaswag\\s+stories\\s+\\S+\\s+interrupted\\s`));
    expect((await aiplus("eval", "show", id)).stdout).toContain(`— interrupted, ${listed.progress.done}/40 items`);

    const resumed = await aiplus("eval", "resume", id, "--json");
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(jsonOf<RunView>(resumed)).toMatchObject({ id, status: "completed", progress: { done: 40, total: 40 }, interrupted: null });
    expect(resumed.stderr).toContain(`took over eval run ${id} from holder ${listed.interrupted!.holder}`);
  }, 240_000);
});
