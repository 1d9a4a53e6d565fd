import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScriptedUpstream } from "../support/scripted-upstream.js";
import { aiplusBin, cliEnvironment, jsonOf, oneLineError, runAiplus, temporaryHome } from "./run-aiplus.js";

let home: string;
let folder: string;

const doubler = `name: doubler
inputs:
  n: { type: number }
steps:
  - id: double
    type: code
    source: |
      import json, sys
      print(json.load(sys.stdin)["inputs"]["n"] * 2)
    next: check
  - id: check
    type: condition
    cases:
      - when: "steps.double.output > 5"
        next: big
    default: small
  - id: big
    type: code
    source: print('"big"')
  - id: small
    type: code
    source: print('"small"')
`;

beforeAll(() => {
  home = temporaryHome();
  folder = fs.mkdtempSync(path.join(home, "files-"));
});

afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
});

describe("aiplus workflows", () => {
  it("lists and creates templates; creates, shows, runs and removes a workflow from a file", async () => {
    const templates = await runAiplus(["workflows", "templates"], { home });
    expect(templates.code).toBe(0);
    for (const name of ["chaining", "routing", "parallelization", "orchestrator-workers", "evaluator-optimizer"]) expect(templates.stdout).toContain(name);
    const fromTemplate = await runAiplus(["workflows", "create", "--template", "chaining"], { home });
    expect(fromTemplate.stdout).toMatch(/^created workflow chaining \(wf_/);

    const file = path.join(folder, "doubler.yaml");
    fs.writeFileSync(file, doubler);
    expect((await runAiplus(["workflows", "create", file], { home })).code).toBe(0);
    const list = jsonOf<Array<{ name: string; object: string; owner_id: string; created_at: number }>>(await runAiplus(["workflows", "ls", "--json"], { home }));
    expect(list.map((workflow) => workflow.name).sort()).toEqual(["chaining", "doubler"]);
    expect(list.every((workflow) => workflow.object === "workflow" && workflow.owner_id === "local" && Number.isInteger(workflow.created_at))).toBe(true);
    expect((await runAiplus(["workflows", "show", "doubler"], { home })).stdout).toContain("type: condition");

    const run = await runAiplus(["workflows", "run", "doubler", "--input", "n=4", "--follow"], { home });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("step double: completed 8");
    expect(run.stdout).toContain("step small: skipped");
    expect(run.stdout).toMatch(/run wfrun_\w+: completed\nbig\n/);
    const runId = /run (wfrun_\w+)/.exec(run.stdout)![1]!;
    const shown = jsonOf<{ object: string; workflow_id: string; status: string; output: unknown; steps: Array<{ id: string; status: string }> }>(await runAiplus(["workflows", "runs", runId, "--json"], { home }));
    expect([shown.object, shown.status, shown.output, shown.steps.length]).toEqual(["workflow.run", "completed", "big", 4]);
    expect(shown.steps.find((step) => step.id === "small")?.status).toBe("skipped");

    expect((await runAiplus(["workflows", "rm", "doubler"], { home })).stdout).toMatch(/^removed workflow doubler/);
  });

  it("update saves a new version; versions lists them; show and run take --workflow-version", async () => {
    const file = path.join(folder, "tripler.yaml");
    fs.writeFileSync(file, "name: tripler\nsteps:\n  - {id: out, type: code, source: 'print(\"\\\"one\\\"\")'}\n");
    expect((await runAiplus(["workflows", "create", file], { home })).code).toBe(0);
    const second = path.join(folder, "tripler-2.yaml");
    fs.writeFileSync(second, "name: tripler\ndescription: second\nsteps:\n  - {id: out, type: code, source: 'print(\"\\\"two\\\"\")'}\n");
    const updated = await runAiplus(["workflows", "update", "tripler", second], { home });
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).toMatch(/^saved workflow tripler \(wf_\w+\) version 2/);
    const table = await runAiplus(["workflows", "versions", "tripler"], { home });
    expect(table.stdout).toMatch(/VERSION\s+NAME\s+STEPS\s+CREATED\n2 \(latest\)\s+tripler\s+1\s+.*\n1\s+tripler\s+1/);
    const versions = jsonOf<Array<{ object: string; version: number; definition: { description?: string } }>>(await runAiplus(["workflows", "versions", "tripler", "--json"], { home }));
    expect(versions.map((version) => [version.object, version.version, version.definition.description ?? null])).toEqual([["workflow.version", 2, "second"], ["workflow.version", 1, null]]);
    expect((await runAiplus(["workflows", "show", "tripler", "--workflow-version", "1"], { home })).stdout).toMatch(/version 1 of 2[\s\S]*one/);
    const latest = await runAiplus(["workflows", "run", "tripler", "--json"], { home });
    expect(jsonOf<{ workflow_version: number; output: unknown }>(latest)).toMatchObject({ workflow_version: 2, output: "two" });
    const earlier = await runAiplus(["workflows", "run", "tripler", "--workflow-version", "1", "--json"], { home });
    expect(jsonOf<{ workflow_version: number; output: unknown }>(earlier)).toMatchObject({ workflow_version: 1, output: "one" });
    const missing = await runAiplus(["workflows", "run", "tripler", "--workflow-version", "7"], { home });
    expect(missing.code).not.toBe(0);
    expect(oneLineError(missing)).toMatch(/no version 7/);
    const bad = await runAiplus(["workflows", "show", "tripler", "--workflow-version", "0"], { home });
    expect(bad.code).not.toBe(0);
    expect(oneLineError(bad)).toMatch(/--workflow-version takes a version number/);
    const unknown = await runAiplus(["workflows", "show", "tripler", "--workflow-version", "5"], { home });
    expect(oneLineError(unknown)).toMatch(/no version 5 \(its latest is 2\)/);
  }, 240_000);

  it("bad input is one aiplus: line and a non-zero exit", async () => {
    const file = path.join(folder, "cycle.yaml");
    fs.writeFileSync(file, "name: cycle\nsteps:\n  - {id: a, type: code, source: 'print(1)', next: b}\n  - {id: b, type: code, source: 'print(1)', next: a}\n");
    const cycle = await runAiplus(["workflows", "create", file], { home });
    expect(cycle.code).not.toBe(0);
    expect(oneLineError(cycle)).toMatch(/cycle/);
    const template = await runAiplus(["workflows", "create", "--template", "nope"], { home });
    expect(template.code).not.toBe(0);
    expect(oneLineError(template)).toMatch(/unknown workflow template 'nope'/);
    const missing = await runAiplus(["workflows", "run", "chaining", "--input", "topic=tea"], { home });
    expect(missing.code).not.toBe(0);
    expect(oneLineError(missing)).toMatch(/Missing required input 'model'/);
  });

  it("`workflows run` bills its model calls in the ledger to the key aiplus-cli-run", async () => {
    const upstream = await ScriptedUpstream.start();
    try {
      upstream.on("user: Name a colour", { text: "teal" });
      const provider = await runAiplus(["providers", "add", "--name", "scripted", "--base-url", upstream.baseUrl, "--api-key", "sk-up", "--models", "ledger-model"], { home });
      expect(provider.code, provider.stderr).toBe(0);
      const file = path.join(folder, "colour.yaml");
      fs.writeFileSync(file, "name: colour\nsteps:\n  - {id: ask, type: llm, model: ledger-model, prompt: Name a colour}\n");
      expect((await runAiplus(["workflows", "create", file], { home })).code).toBe(0);
      const run = await runAiplus(["workflows", "run", "colour"], { home });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/completed\nteal\n/);
      const usage = jsonOf<unknown>(await runAiplus(["usage", "--json"], { home }));
      expect(JSON.stringify(usage)).toContain("ledger-model");
      const keys = await runAiplus(["keys", "ls"], { home });
      expect(keys.stdout).toContain("aiplus-cli-run");
    } finally {
      await upstream.stop();
    }
  });
});

describe("the bundled CLI (npm run build)", () => {
  it("lists the templates from any working directory with no source tree next to it", () => {
    const root = path.resolve(path.dirname(aiplusBin), "..");
    execFileSync("npm", ["run", "build", "--silent"], { cwd: root, stdio: "pipe" });
    // The bundle alone (its npm packages next to it), run from an unrelated folder: no src/ to read templates from.
    const shipped = fs.mkdtempSync(path.join(home, "shipped-"));
    fs.copyFileSync(path.join(root, "dist", "aiplus.js"), path.join(shipped, "aiplus.js"));
    fs.symlinkSync(path.join(root, "node_modules"), path.join(shipped, "node_modules"));
    const elsewhere = fs.mkdtempSync(path.join(home, "cwd-"));
    const result = spawnSync(process.execPath, [path.join(shipped, "aiplus.js"), "workflows", "templates"], { cwd: elsewhere, env: cliEnvironment(home), encoding: "utf8" });
    expect(result.status, result.stderr).toBe(0);
    for (const name of ["chaining", "routing", "parallelization", "orchestrator-workers", "evaluator-optimizer"]) expect(result.stdout).toContain(name);
  });
});
