/**
 * GPU offload on the native engine: a build whose stamp names a GPU backend starts its llama-server workers with every
 * layer offloaded (`--n-gpu-layers 999`), unless AIPLUS_GPU=cpu; a CPU build offloads none. This machine has no GPU:
 * the CPU llama-server of the real build stands in for the GPU build's (llama.cpp ignores the layer count without a
 * GPU device), which is what the worker's command line shows.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { nativeBuild } from "../../src/runtime/native/index.js";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { useNativeEngine } from "../support/engine.js";

useNativeEngine();

const build = nativeBuild(loadConfig({ environment: { AIPLUS_NATIVE_DIR: process.env.AIPLUS_NATIVE_DIR }, warn: () => undefined }).nativeDir);
let gpuBuild: string;
const servers: TestServer[] = [];

beforeAll(() => {
  // A native folder laid out like a CUDA build: the real binaries, a stamp whose fourth word is the backend.
  gpuBuild = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-gpu-native-"));
  fs.mkdirSync(path.join(gpuBuild, "bin"));
  fs.symlinkSync(build.serverPath, path.join(gpuBuild, "bin", "llama-server"));
  fs.writeFileSync(path.join(gpuBuild, "bin", "stamp"), `${build.stamp!.split(" ").slice(0, 3).join(" ")} cuda\n`);
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  fs.rmSync(gpuBuild, { recursive: true, force: true });
});

type RuntimeView = { workers: { model: string; pid: number | null }[] };

/** The `--n-gpu-layers` value of the worker that served a chat on a server with these settings. */
async function gpuLayersOfWorker(settings: Record<string, unknown>): Promise<string | undefined> {
  const server = await startTestServer(settings);
  servers.push(server);
  await server.addModel("stories260K.gguf", "stories");
  const completion = await server.admin.chat.completions.create({ model: "stories", messages: [{ role: "user", content: "Hi" }], max_tokens: 3 });
  expect(completion.usage?.completion_tokens).toBe(3);
  const worker = (await server.admin.get<RuntimeView>("/admin/runtime")).workers.find((entry) => entry.model === "stories");
  expect(worker?.pid).toBeTypeOf("number");
  const args = fs.readFileSync(`/proc/${worker!.pid}/cmdline`, "utf8").split("\0");
  return args[args.indexOf("--n-gpu-layers") + 1];
}

describe("native workers' GPU layers", () => {
  it("a GPU build offloads every layer", async () => {
    expect(await gpuLayersOfWorker({ nativeDir: gpuBuild, gpu: "auto" })).toBe("999");
  });

  it("AIPLUS_GPU=cpu keeps a GPU build's workers on the CPU", async () => {
    expect(await gpuLayersOfWorker({ nativeDir: gpuBuild, gpu: "cpu" })).toBe("0");
  });

  it("a CPU build offloads none", async () => {
    expect(build.gpu).toBeUndefined();
    expect(await gpuLayersOfWorker({ gpu: "cpu" })).toBe("0");
  });
});
