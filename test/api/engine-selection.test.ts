/** Engine selection without a native build: `auto` falls back to node-llama-cpp and says why; `native` is refused. */
import { execFile, execFileSync } from "node:child_process";
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

  it("a GPU build without its toolkit is one line (CLI and build script); a GPU build's stamp shows in `engine status`", async () => {
    // A PATH with the build tools but no GPU toolkit (whatever this machine has installed).
    const tools = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-build-tools-"));
    const which = (name: string) => execFileSync("/bin/sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
    for (const name of ["cmake", "g++", "git", "dirname", "nproc", "readlink", "find"]) fs.symlinkSync(which(name), path.join(tools, name));
    const script = (environment: Record<string, string>) =>
      run("/bin/bash", [path.resolve("scripts/build-native.sh")], { env: { ...process.env, PATH: tools, AIPLUS_NATIVE_DIR: missing, ...environment } }).then(
        () => ({ code: 0, stderr: "" }),
        (error: { code: number; stderr: string }) => error,
      );
    try {
      for (const [gpu, tool, toolkit] of [["cuda", "nvcc", "the CUDA toolkit"], ["vulkan", "glslc", "the Vulkan SDK"]] as const) {
        const refused = await aiplus(["engine", "build", "--gpu", gpu], { PATH: tools, AIPLUS_NATIVE_DIR: missing });
        expect(refused.code).not.toBe(0);
        expect(refused.stderr.trim()).toBe(`aiplus: cannot build for ${gpu}: ${toolkit} is not installed (${tool} is not on PATH); run \`aiplus engine build\` without --gpu for a CPU build`);
      }
      const noNvcc = await script({ AIPLUS_NATIVE_GPU: "cuda" });
      expect(noNvcc.code).toBe(1);
      expect(noNvcc.stderr.trim()).toBe("build-native: a CUDA build needs the CUDA toolkit (nvcc is not on PATH)");
      const wrong = await script({ AIPLUS_NATIVE_GPU: "metal" });
      expect(wrong.stderr.trim()).toBe("build-native: AIPLUS_NATIVE_GPU must be cuda or vulkan, not 'metal'");
      // A CUDA toolkit without cuBLAS (llama.cpp's CUDA backend needs it): named before CMake runs.
      const cuda = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-cuda-"));
      fs.mkdirSync(path.join(cuda, "bin"));
      fs.writeFileSync(path.join(cuda, "bin", "nvcc"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
      const withNvcc = await script({ AIPLUS_NATIVE_GPU: "cuda", PATH: `${path.join(cuda, "bin")}:${tools}` });
      fs.rmSync(cuda, { recursive: true, force: true });
      expect(withNvcc.code).toBe(1);
      expect(withNvcc.stderr.trim()).toMatch(/^build-native: a CUDA build needs cuBLAS \(no libcublas\.so in .*aiplus-cuda-.* or the system libraries\)$/);
      expect(fs.readdirSync(missing)).toEqual([]);
    } finally {
      fs.rmSync(tools, { recursive: true, force: true });
    }
    // A folder laid out like a CUDA build (its stamp's fourth word).
    const gpuBuild = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-gpu-build-"));
    try {
      fs.mkdirSync(path.join(gpuBuild, "bin"));
      fs.copyFileSync(process.execPath, path.join(gpuBuild, "bin", "llama-server"));
      fs.writeFileSync(path.join(gpuBuild, "bin", "stamp"), "0123456789abcdef0123456789abcdef01234567 0123456789abcdef x86_64 cuda\n");
      const status = JSON.parse((await aiplus(["engine", "status", "--json"], { AIPLUS_ENGINE: "auto", AIPLUS_NATIVE_DIR: gpuBuild })).stdout) as { active: string; engines: { native: { gpu: string | null } } };
      expect(status).toMatchObject({ active: "native", engines: { native: { gpu: "cuda" } } });
      const text = await aiplus(["engine", "status"], { AIPLUS_ENGINE: "auto", AIPLUS_NATIVE_DIR: gpuBuild });
      expect(text.stdout).toContain("(llama.cpp 0123456789ab, cuda)");
      const cpu = JSON.parse((await aiplus(["engine", "status", "--json"], { AIPLUS_ENGINE: "auto", AIPLUS_NATIVE_DIR: missing })).stdout) as { engines: { native: { gpu: string | null } } };
      expect(cpu.engines.native.gpu).toBeNull();
    } finally {
      fs.rmSync(gpuBuild, { recursive: true, force: true });
    }
  });
});
