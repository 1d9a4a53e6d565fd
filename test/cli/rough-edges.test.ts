import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import OpenAI from "openai";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createPlatform } from "../../src/platform/index.js";
import { testModelPath } from "../support/test-models.js";
import { aiplusBin, cliEnvironment, jsonOf, oneLineError, runAiplus, temporaryHome, type AiplusRun, type UsageRowJson, type ModelJson } from "./run-aiplus.js";

const repositoryRoot = path.dirname(path.dirname(aiplusBin));
const packageVersion = (JSON.parse(fs.readFileSync(path.join(repositoryRoot, "package.json"), "utf8")) as { version: string }).version;

let home: string;

beforeAll(() => {
  home = temporaryHome();
});

afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
});

/** Runs `command` with a reader of stdout that is gone before the CLI writes (as `aiplus … | head` once head exits). */
function runWithClosedStdout(command: string, args: string[]): Promise<AiplusRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repositoryRoot, env: cliEnvironment(home), stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout: "", stderr }));
  });
}

/** `npx aiplus …` from the repository root, as the README documents it (offline: the package is this checkout). */
function runNpx(args: string[]): Promise<AiplusRun> {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["aiplus", ...args], {
      cwd: repositoryRoot,
      env: cliEnvironment(home, { npm_config_offline: "true", npm_config_update_notifier: "false" }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("a closed output pipe", () => {
  it("ends the CLI quietly with exit 0 (no EPIPE stack trace), for commander's help and for command output", async () => {
    for (const args of [["--help"], ["models", "ls", "--json"], ["eval", "ls", "--json"]]) {
      const run = await runWithClosedStdout(process.execPath, [aiplusBin, ...args]);
      expect(run.stderr, args.join(" ")).toBe("");
      expect(run.code, args.join(" ")).toBe(0);
    }
  }, 120_000);
});

describe("npx aiplus", () => {
  it("shows aiplus's own help and version, with flags and with the help / version subcommands", async () => {
    for (const args of [["--help"], ["help"]]) {
      const run = await runNpx(args);
      expect(run.code, `${args.join(" ")}: ${run.stderr}`).toBe(0);
      expect(run.stdout).toMatch(/^Usage: aiplus \[options\] \[command\]/);
      expect(run.stdout).toMatch(/^ {2}models\b/m);
      expect(run.stdout).not.toMatch(/npm exec/);
    }
    for (const args of [["--version"], ["version"]]) {
      const run = await runNpx(args);
      expect(run.code, `${args.join(" ")}: ${run.stderr}`).toBe(0);
      expect(run.stdout).toBe(`${packageVersion}\n`);
    }
    const modelsHelp = await runNpx(["help", "models"]);
    expect(modelsHelp.stdout).toMatch(/^Usage: aiplus models/);
  }, 180_000);
});

describe("model names keep their case and match in any case", () => {
  it("registers stories260K.gguf as stories260K; show, chat, keys, prices and /v1/models accept any case", async () => {
    const file = await testModelPath("stories260K.gguf");
    const added = await runAiplus(["models", "add", file, "--json"], { home });
    expect(added.code, added.stderr).toBe(0);
    expect(jsonOf<ModelJson>(added).name).toBe("stories260K");
    for (const spelling of ["stories260K", "stories260k", "STORIES260K"]) {
      const shown = await runAiplus(["models", "show", spelling, "--json"], { home });
      expect(shown.code, shown.stderr).toBe(0);
      expect(jsonOf<ModelJson>(shown).name).toBe("stories260K");
    }
    const duplicate = await runAiplus(["models", "add", file, "--name", "Stories260k"], { home });
    expect(duplicate.code).toBe(1);
    expect(oneLineError(duplicate)).toBe("aiplus: model stories260K already exists");

    expect((await runAiplus(["prices", "set", "STORIES260k", "--input", "1000", "--output", "1000"], { home })).code).toBe(0);
    const chat = await runAiplus(["chat", "stories260k", "--max-tokens", "4"], { home, input: "Once upon a time\n" });
    expect(chat.code, chat.stderr).toBe(0);
    const usage = jsonOf<UsageRowJson[]>(await runAiplus(["usage", "--by", "model,endpoint", "--json"], { home }));
    const chatRow = usage.find((row) => row.endpoint === "chat.completions");
    expect(chatRow).toMatchObject({ model: "stories260K", requests: 1 });
    expect(chatRow!.cost).toBeGreaterThan(0);

    const config = loadConfig({ environment: {}, flags: { home, port: 0, threads: 1, gpu: "cpu", logLevel: "silent" } });
    const platform = await createPlatform({ config, logger: pino({ level: "silent" }), onAdminKeyCreated: () => undefined });
    try {
      const { url } = await platform.start();
      const { key } = await platform.maas.keys.create({ name: "alice", models: ["STORIES260k"] });
      const client = new OpenAI({ apiKey: key, baseURL: `${url}/v1`, maxRetries: 0 });
      expect((await client.models.list()).data.map((model) => model.id)).toEqual(["stories260K"]);
      expect((await client.models.retrieve("stories260k")).id).toBe("stories260K");
      const completion = await client.chat.completions.create({ model: "Stories260k", messages: [{ role: "user", content: "Hi" }], max_tokens: 3 });
      expect(completion.model).toBe("stories260K");
    } finally {
      await platform.dispose();
    }
    const byModel = jsonOf<UsageRowJson[]>(await runAiplus(["usage", "--by", "model", "--json"], { home }));
    expect(byModel.map((row) => row.model)).toEqual(["stories260K"]);
    expect(byModel[0]?.requests).toBe(2);

    const removed = await runAiplus(["models", "rm", "STORIES260K"], { home });
    expect(removed.code, removed.stderr).toBe(0);
    expect(jsonOf<ModelJson[]>(await runAiplus(["models", "ls", "--json"], { home }))).toEqual([]);
  }, 300_000);
});

describe("knowledge-base work of the CLI", () => {
  it("is recorded in the ledger as embeddings with tokens, like chat and eval", async () => {
    const kbHome = temporaryHome();
    try {
      const run = (...args: string[]) => runAiplus(args, { home: kbHome });
      expect((await run("models", "add", await testModelPath("tiny-bert-random.gguf"), "--name", "Bert")).code).toBe(0);
      const created = await run("kb", "create", "notes", "--embedding-model", "bert");
      expect(created.code, created.stderr).toBe(0);
      const document = path.join(kbHome, "note.md");
      fs.writeFileSync(document, "# Lunch\n\nThe canteen opens at noon and closes at two.\n");
      const added = await run("kb", "add", "notes", document);
      expect(added.code, added.stderr).toBe(0);
      const afterAdd = jsonOf<UsageRowJson[]>(await run("usage", "--by", "key,endpoint", "--json"));
      const ingestion = afterAdd.find((row) => row.endpoint === "embeddings");
      expect(ingestion).toMatchObject({ key_id: null });
      expect(ingestion!.requests).toBeGreaterThanOrEqual(1);
      expect(ingestion!.input_tokens).toBeGreaterThan(0);

      const query = await run("kb", "query", "notes", "When does the canteen open?", "--mode", "vector");
      expect(query.code, query.stderr).toBe(0);
      const afterQuery = jsonOf<UsageRowJson[]>(await run("usage", "--by", "endpoint", "--json"));
      expect(afterQuery.find((row) => row.endpoint === "embeddings")!.requests).toBe(ingestion!.requests + 1);
    } finally {
      fs.rmSync(kbHome, { recursive: true, force: true });
    }
  }, 300_000);
});
