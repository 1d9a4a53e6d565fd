/** Engine selection without a native build: `auto` falls back to node-llama-cpp and says why; `native` is refused. */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";

const run = promisify(execFile);
const missing = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-no-native-"));
const home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-engine-home-"));
const cli = path.resolve("bin/aiplus.js");
let server: TestServer | undefined;
afterAll(async () => {
  await server?.close();
  fs.rmSync(missing, { recursive: true, force: true });
  fs.rmSync(home, { recursive: true, force: true });
});

async function aiplus(args: string[], environment: Record<string, string>): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env: { ...process.env, AIPLUS_HOME: home, ...environment } });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

describe("engine selection", () => {
  it("auto without a native build serves on node-llama-cpp, and /v1/admin/runtime says why", async () => {
    server = await startTestServer({ engine: "auto", nativeDir: missing });
    await server.addModel("stories260K.gguf", "stories");
    const completion = await server.admin.chat.completions.create({ model: "stories", messages: [{ role: "user", content: "Hi" }], max_tokens: 3 });
    expect(completion.usage?.completion_tokens).toBe(3);
    const view = await server.admin.get<{ engine: { active: string; requested: string; reason: string; native_built: boolean }; loaded: { engine: string }[]; workers: unknown[] }>("/admin/runtime");
    expect(view.engine).toMatchObject({ active: "node-llama-cpp", requested: "auto", native_built: false });
    expect(view.engine.reason).toContain("no native build");
    expect(view.loaded[0]?.engine).toBe("node-llama-cpp");
    expect(view.workers).toEqual([]);
  });

  it("`aiplus engine status` reports the fallback in text and JSON", async () => {
    const text = await aiplus(["engine", "status"], { AIPLUS_ENGINE: "auto", AIPLUS_NATIVE_DIR: missing });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("active: node-llama-cpp");
    expect(text.stdout).toContain("falling back to node-llama-cpp");
    expect(text.stdout).toContain(`native: not built`);
    const json = await aiplus(["engine", "status", "--json"], { AIPLUS_ENGINE: "auto", AIPLUS_NATIVE_DIR: missing });
    const status = JSON.parse(json.stdout) as { active: string; requested: string; engines: { native: { built: boolean; directory: string }; "node-llama-cpp": { built: boolean } } };
    expect(status).toMatchObject({ active: "node-llama-cpp", requested: "auto", engines: { native: { built: false, directory: missing }, "node-llama-cpp": { built: true } } });
  });

  it("AIPLUS_ENGINE=native without a build is refused at start with one line naming the fix; a bad value names the setting", async () => {
    await expect(startTestServer({ engine: "native", nativeDir: missing })).rejects.toThrow(/AIPLUS_ENGINE=native but no native build in .*`aiplus engine build`/);
    const bad = await aiplus(["engine", "status"], { AIPLUS_ENGINE: "fast", AIPLUS_NATIVE_DIR: missing });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/^aiplus: invalid setting AIPLUS_ENGINE/);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("`aiplus engine build` names a missing cmake in one line, and refuses an unknown --gpu", async () => {
    const emptyPath = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-empty-path-"));
    try {
      const noCmake = await aiplus(["engine", "build"], { PATH: emptyPath, AIPLUS_NATIVE_DIR: missing });
      expect(noCmake.code).not.toBe(0);
      expect(noCmake.stderr.trim()).toBe("aiplus: cannot build the native engine: cmake is not installed (install cmake 3.14 or newer)");
    } finally {
      fs.rmSync(emptyPath, { recursive: true, force: true });
    }
    const badGpu = await aiplus(["engine", "build", "--gpu", "metal"], { AIPLUS_NATIVE_DIR: missing });
    expect(badGpu.code).not.toBe(0);
    expect(badGpu.stderr).toContain("Must be cuda or vulkan");
  });
});
