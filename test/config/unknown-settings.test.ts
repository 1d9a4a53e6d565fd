import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { runAiplus } from "../cli/run-aiplus.js";

const home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-config-"));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe("unknown settings", () => {
  it("warns once per unknown config file key and unknown AIPLUS_* variable, with a near miss suggested", () => {
    const file = path.join(home, "custom-config.json");
    fs.writeFileSync(file, JSON.stringify({ port: 9000, prot: 1, colour: "blue", Threads: 2 }));
    const warnings: string[] = [];
    const config = loadConfig({
      environment: {
        AIPLUS_CONFIG: file,
        AIPLUS_PROT: "1",
        AIPLUS_SEQUENCE: "2",
        AIPLUS_SEQUENCES: "3",
        AIPLUS_DEBUG: "1",
        AIPLUS_TEST_MODELS: "/models",
        AIPLUS_TEST_POSTGRES_URL: "postgres://x",
        AIPLUS_TEST_SOMETHING_NEW: "x",
        AIPLUS_EVAL_CONCURRENCY: "2",
        OTHER_VARIABLE: "x",
      },
      flags: { home },
      warn: (message) => warnings.push(message),
    });
    expect(config).toMatchObject({ port: 9000, sequences: 3 });
    expect(warnings).toEqual([
      `unknown setting "prot" in ${file} is ignored; did you mean port?`,
      `unknown setting "colour" in ${file} is ignored`,
      `unknown setting "Threads" in ${file} is ignored; did you mean threads?`,
      "unknown environment variable AIPLUS_PROT is ignored; did you mean AIPLUS_PORT?",
      "unknown environment variable AIPLUS_SEQUENCE is ignored; did you mean AIPLUS_SEQUENCES?",
    ]);
  });

  it("stays silent when every setting is known", () => {
    const warnings: string[] = [];
    loadConfig({ environment: { AIPLUS_PORT: "1234", AIPLUS_HOME: home, AIPLUS_LOG_LEVEL: "warn" }, warn: (message) => warnings.push(message) });
    expect(warnings).toEqual([]);
  });

  it("prints the warning as one `aiplus: warning:` line on the CLI's stderr; the command still runs", async () => {
    const run = await runAiplus(["models", "ls", "--json"], { home, env: { AIPLUS_THREAD: "2" } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe("aiplus: warning: unknown environment variable AIPLUS_THREAD is ignored; did you mean AIPLUS_THREADS?\n");
    expect(JSON.parse(run.stdout)).toEqual([]);
  }, 60_000);
});
