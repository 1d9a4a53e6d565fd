import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testModelPath, testModels } from "../support/test-models.js";
import { closedPort, startModelFileServer } from "../pull/model-file-server.js";
import { jsonOf, oneLineError, runAiplus, temporaryHome, type ModelJson } from "./run-aiplus.js";

let home: string;

beforeAll(() => {
  home = temporaryHome();
});

afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
});

describe("aiplus --help", () => {
  it("documents every command group and exits 0", async () => {
    const top = await runAiplus(["--help"], { home });
    expect(top.code).toBe(0);
    for (const group of ["serve", "models", "pull", "providers", "keys", "prices", "usage", "chat"]) {
      expect(top.stdout).toMatch(new RegExp(`^  ${group}\\b`, "m"));
    }
    const expectations: [string[], RegExp][] = [
      [["serve", "--help"], /--port <port>/],
      [["models", "--help"], /add \[options\] <file>/],
      [["models", "show", "--help"], /--json/],
      [["pull", "--help"], /--sha256 <hex>/],
      [["providers", "add", "--help"], /--base-url <url>/],
      [["keys", "create", "--help"], /--expires-in <duration>/],
      [["prices", "set", "--help"], /--input <dollars>/],
      [["usage", "--help"], /--by <columns>/],
      [["chat", "--help"], /--max-tokens <n>/],
    ];
    for (const [args, pattern] of expectations) {
      const run = await runAiplus(args, { home });
      expect(run.code, args.join(" ")).toBe(0);
      expect(run.stdout).toMatch(pattern);
    }
  }, 180_000);

  it("answers unknown commands and options with one line and exit 2", async () => {
    const unknownCommand = await runAiplus(["frobnicate"], { home });
    expect(unknownCommand.code).toBe(2);
    expect(oneLineError(unknownCommand)).toBe("aiplus: unknown command 'frobnicate'");
    const unknownOption = await runAiplus(["models", "ls", "--colour"], { home });
    expect(unknownOption.code).toBe(2);
    expect(oneLineError(unknownOption)).toBe("aiplus: unknown option '--colour'");
  }, 180_000);

  it("reports a bad setting in one line", async () => {
    const run = await runAiplus(["models", "ls"], { home, env: { AIPLUS_PORT: "eighty" } });
    expect(run.code).toBe(1);
    expect(oneLineError(run)).toMatch(/^aiplus: invalid setting AIPLUS_PORT: /);
  }, 180_000);
});

describe("aiplus pull", () => {
  it("downloads with progress lines, verifies sha256 and registers the model", async () => {
    const server = await startModelFileServer({ file: await testModelPath("stories260K.gguf") });
    try {
      const sha256 = testModels["stories260K.gguf"].sha256;
      const run = await runAiplus(["pull", `${server.url}/files/stories260K.gguf`, "--sha256", sha256, "--name", "pulled", "--json"], { home });
      expect(run.code, run.stderr).toBe(0);
      const model = jsonOf<{ name: string; path: string; sha256: string; verified_against: string }>(run);
      expect(model).toMatchObject({ object: "model", name: "pulled", sha256, verified_against: "option", architecture: "llama", parameter_count: 292_800 });
      expect(model.path).toBe(path.join(home, "models", "stories260K.gguf"));
      expect(createHash("sha256").update(fs.readFileSync(model.path)).digest("hex")).toBe(sha256);
      // Not a terminal: plain progress lines on stderr, ending at 100%.
      expect(run.stderr).toMatch(/^pull stories260K\.gguf: 0% 0 B of 1\.2 MB$/m);
      expect(run.stderr).toMatch(/^pull stories260K\.gguf: 100% 1\.2 MB of 1\.2 MB$/m);
      const listed = jsonOf<ModelJson[]>(await runAiplus(["models", "ls", "--json"], { home }));
      expect(listed.map((entry) => entry.name)).toEqual(["pulled"]);
    } finally {
      await server.close();
    }
  }, 180_000);

  it("says how to add the file by hand when the host is unreachable", async () => {
    const port = await closedPort();
    const run = await runAiplus(["pull", `http://127.0.0.1:${port}/files/other.gguf`], { home });
    expect(run.code).toBe(1);
    expect(oneLineError(run)).toBe(`aiplus: cannot reach 127.0.0.1:${port}; copy the file to this machine and run \`aiplus models add other.gguf\``);
    expect(fs.readdirSync(path.join(home, "models")).filter((file) => file.startsWith("other"))).toEqual([]);
  }, 180_000);
});
