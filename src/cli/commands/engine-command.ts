import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Command, InvalidArgumentError } from "commander";
import { InvalidRequestError } from "../../spec/index.js";
import { resolveConfig } from "../cli-context.js";
import { printJson, printLine } from "../output.js";
import { parsePositiveInteger } from "../parse-options.js";

type StatusOptions = { json?: boolean };
type BuildOptions = { jobs?: number; gpu?: "cuda" | "vulkan" };

/** `aiplus engine`: which local engine serves models, and building the native one. */
export function engineCommand(): Command {
  const command = new Command("engine").description("the local engines: node-llama-cpp (in-process, prebuilt) and native (llama-server workers, built here)");
  command
    .command("status")
    .description("which engines are built, which one is active and why, and where")
    .option("--json", "print as JSON")
    .action(async (options: StatusOptions, subcommand: Command) => {
      const config = await resolveConfig(subcommand);
      const { selectEngine } = await import("../../runtime/native/index.js");
      const selection = selectEngine(config.engine, config.nativeDir);
      const nodeLlamaCppVersion = packageVersion("node-llama-cpp");
      if (options.json) {
        printJson({
          object: "engine.status",
          requested: selection.requested,
          active: selection.active,
          reason: selection.reason,
          engines: {
            native: { built: selection.native.built, directory: selection.native.directory, server_path: selection.native.serverPath, stamp: selection.native.stamp, gpu: selection.native.gpu ?? null },
            "node-llama-cpp": { built: true, version: nodeLlamaCppVersion },
          },
        });
        return;
      }
      printLine(`active: ${selection.active} (${selection.reason})`);
      printLine(`native: ${selection.native.built ? `built in ${selection.native.directory}${selection.native.stamp ? ` (llama.cpp ${selection.native.stamp.split(" ")[0]?.slice(0, 12)}, ${selection.native.gpu ?? "CPU"})` : ""}` : `not built (\`aiplus engine build\` builds it into ${selection.native.directory})`}`);
      printLine(`node-llama-cpp: ${nodeLlamaCppVersion ?? "installed"} (in-process, prebuilt binaries)`);
    });
  command
    .command("build")
    .description("build the native engine (llama-server from node-llama-cpp's llama.cpp source) into the native folder; an interrupted build resumes")
    .option("--jobs <n>", "parallel compile jobs (default: the CPU count)", parsePositiveInteger)
    .option("--gpu <backend>", "GPU backend: cuda or vulkan (needs its toolkit)", parseGpu)
    .action(async (options: BuildOptions, subcommand: Command) => {
      const config = await resolveConfig(subcommand);
      assertTools();
      if (options.gpu) assertGpuToolkit(options.gpu);
      await runBuild(config.nativeDir, options.jobs, options.gpu);
    });
  return command;
}

function parseGpu(value: string): "cuda" | "vulkan" {
  if (value === "cuda" || value === "vulkan") return value;
  throw new InvalidArgumentError("Must be cuda or vulkan.");
}

function hasCommand(name: string): boolean {
  return spawnSync("/bin/sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

/** A GPU build needs its toolkit: nvcc (CUDA), or the Vulkan SDK's glslc. */
function assertGpuToolkit(gpu: "cuda" | "vulkan"): void {
  const tool = gpu === "cuda" ? "nvcc" : "glslc";
  const toolkit = gpu === "cuda" ? "the CUDA toolkit" : "the Vulkan SDK";
  if (!hasCommand(tool)) {
    throw new InvalidRequestError({ message: `cannot build for ${gpu}: ${toolkit} is not installed (${tool} is not on PATH); run \`aiplus engine build\` without --gpu for a CPU build`, param: "gpu" });
  }
}

/** One line naming the first missing tool the build needs. */
function assertTools(): void {
  if (!hasCommand("cmake")) throw new InvalidRequestError({ message: "cannot build the native engine: cmake is not installed (install cmake 3.14 or newer)" });
  if (!hasCommand("c++") && !hasCommand("g++") && !hasCommand("clang++")) {
    throw new InvalidRequestError({ message: "cannot build the native engine: no C++ compiler is installed (install g++ or clang++)" });
  }
  if (!hasCommand("git")) throw new InvalidRequestError({ message: "cannot build the native engine: git is not installed (it unpacks the llama.cpp source)" });
}

/** The aiplus installation this code runs from (the folder of its package.json), never the working directory. */
function installationRoot(): string {
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let folder = start; path.dirname(folder) !== folder; folder = path.dirname(folder)) {
    try {
      if ((JSON.parse(fs.readFileSync(path.join(folder, "package.json"), "utf8")) as { name?: unknown }).name === "aiplus") return folder;
    } catch {
      // not here
    }
  }
  throw new InvalidRequestError({ message: "cannot find the aiplus installation (its package.json) to build from" });
}

function packageVersion(name: string): string | undefined {
  try {
    const file = path.join(installationRoot(), "node_modules", name, "package.json");
    return (JSON.parse(fs.readFileSync(file, "utf8")) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/**
 * Runs scripts/build-native.sh, passing its stage lines through and showing the compile's progress (`[ 42%]` lines of
 * the CMake build log) on stderr. CMake's build folder survives an interruption, so a second run resumes.
 */
async function runBuild(nativeDirectory: string, jobs: number | undefined, gpu: "cuda" | "vulkan" | undefined): Promise<void> {
  const root = installationRoot();
  const script = path.join(root, "scripts", "build-native.sh");
  if (!fs.existsSync(script)) throw new InvalidRequestError({ message: `cannot build the native engine: ${script} is missing` });
  const buildLog = path.join(nativeDirectory, "build.log");
  const startedAt = Date.now();
  const child = spawn("bash", [script], {
    cwd: root,
    env: { ...process.env, AIPLUS_NATIVE_DIR: nativeDirectory, AIPLUS_NATIVE_GPU: gpu ?? "", ...(jobs !== undefined ? { AIPLUS_NATIVE_JOBS: String(jobs) } : {}) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => process.stderr.write(chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  let lastPercent = "";
  const progress = setInterval(() => {
    const percent = lastPercentOf(buildLog);
    if (percent && percent !== lastPercent) {
      lastPercent = percent;
      process.stderr.write(`build-native: ${percent} compiled (${Math.round((Date.now() - startedAt) / 1000)} s)\n`);
    }
  }, 2000);
  const status = await new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  clearInterval(progress);
  if (status !== 0) {
    process.stderr.write(stderr);
    // The script's last own line says what failed (and where its log is).
    const lastLine = stderr.split("\n").findLast((line) => line.startsWith("build-native:") && !line.includes("starting again")) ?? `scripts/build-native.sh exited with status ${status}`;
    throw new InvalidRequestError({ message: `the native build failed: ${lastLine.replace(/^build-native: /, "")}` });
  }
  printLine(`native engine${gpu ? ` (${gpu})` : ""} built in ${nativeDirectory} (${Math.round((Date.now() - startedAt) / 1000)} s)`);
}

function lastPercentOf(logFile: string): string | undefined {
  try {
    const size = fs.statSync(logFile).size;
    const handle = fs.openSync(logFile, "r");
    const length = Math.min(size, 4096);
    const buffer = Buffer.alloc(length);
    fs.readSync(handle, buffer, 0, length, size - length);
    fs.closeSync(handle);
    const matches = buffer.toString("utf8").match(/\[\s*(\d+)%\]/g);
    return matches?.at(-1)?.replace(/[[\]\s]/g, "");
  } catch {
    return undefined;
  }
}
