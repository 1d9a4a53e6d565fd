import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export type SandboxOptions = {
  /** Wall-clock limit; the whole process group is killed with SIGKILL after it. Defaults to 3000 ms (human-eval's 3.0 s). */
  timeoutMilliseconds?: number;
  /** Address-space limit (`ulimit -v`) in MiB. Defaults to 1024. */
  memoryMegabytes?: number;
  /** Largest file the program may write (`ulimit -f`), in MiB. Defaults to 16. */
  fileSizeMegabytes?: number;
  /** Characters of stdout/stderr kept (the tail). Defaults to 8192. */
  outputLimit?: number;
  /** Python interpreter (absolute path, or a name looked up in /usr/local/bin, /usr/bin, /bin). Defaults to `python3`. */
  python?: string;
  signal?: AbortSignal | undefined;
};

export type SandboxResult = {
  status: "passed" | "failed" | "timeout";
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Whether the network namespace isolation (`unshare -n`) was applied. */
  networkIsolated: boolean;
};

let networkIsolationAvailable: boolean | undefined;

/** Whether `unshare -n` works here (needs root or unprivileged user namespaces); probed once. */
export function canIsolateNetwork(): boolean {
  if (networkIsolationAvailable === undefined) {
    const probe = spawnSync(resolveExecutable("unshare"), ["-n", "true"], { stdio: "ignore", timeout: 5000 });
    networkIsolationAvailable = probe.status === 0;
  }
  return networkIsolationAvailable;
}

const executableFolders = ["/usr/local/bin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/sbin", "/sbin"];

/** Absolute path of a tool from the usual system folders (the child gets no PATH). */
function resolveExecutable(name: string): string {
  if (path.isAbsolute(name)) return name;
  for (const folder of executableFolders) {
    const candidate = path.join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next folder
    }
  }
  return name;
}

/**
 * Runs a Python program in a separate process, the way HumanEval checks candidates. What it does:
 * - a fresh temporary directory as the working directory, deleted afterwards;
 * - an empty environment (no PATH, HOME, proxies or keys), `python3 -I -B` (isolated mode: no user site,
 *   no PYTHON* variables, no bytecode written);
 * - `ulimit -v` (address space), `ulimit -f` (file size) and `ulimit -c 0` set by `sh` before `exec`;
 * - a wall-clock limit enforced by killing the whole process group (children included) with SIGKILL;
 * - no network when `unshare -n` works (root or user namespaces): the process sees only a down loopback.
 *
 * What it does NOT do: it is not a security boundary against hostile code. The program runs as this
 * user, can read every file this user can read (including outside the temp dir) and write wherever this
 * user can; without `unshare` it has the network; there is no seccomp, no CPU-count or process-count
 * limit (`ulimit -u` does not bind root). Run untrusted models' code in a container or VM as well.
 */
export async function runPythonSandboxed(program: string, options: SandboxOptions = {}): Promise<SandboxResult> {
  const timeout = options.timeoutMilliseconds ?? 3000;
  const memoryKilobytes = Math.floor((options.memoryMegabytes ?? 1024) * 1024);
  const fileBlocks = Math.floor((options.fileSizeMegabytes ?? 16) * 2048);
  const outputLimit = options.outputLimit ?? 8192;
  const python = resolveExecutable(options.python ?? "python3");
  const shell = resolveExecutable("sh");
  const directory = await mkdtemp(path.join(os.tmpdir(), "aiplus-sandbox-"));
  const isolated = canIsolateNetwork();
  try {
    await writeFile(path.join(directory, "program.py"), program);
    const script = `ulimit -c 0; ulimit -f ${fileBlocks}; ulimit -v ${memoryKilobytes}; exec "$0" -I -B program.py`;
    const command = isolated ? resolveExecutable("unshare") : shell;
    const argumentsList = isolated ? ["-n", shell, "-c", script, python] : ["-c", script, python];
    return await new Promise<SandboxResult>((resolve, reject) => {
      const child = spawn(command, argumentsList, { cwd: directory, env: {}, detached: true, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      let timedOut = false;
      const keep = (current: string, chunk: Buffer) => (current + chunk.toString("utf8")).slice(-outputLimit);
      child.stdout.on("data", (chunk: Buffer) => (stdout = keep(stdout, chunk)));
      child.stderr.on("data", (chunk: Buffer) => (stderr = keep(stderr, chunk)));
      const killGroup = () => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup();
      }, timeout);
      const onAbort = () => killGroup();
      options.signal?.addEventListener("abort", onAbort, { once: true });
      child.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on("close", (exitCode, signal) => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        killGroup();
        if (options.signal?.aborted) {
          reject(options.signal.reason);
          return;
        }
        resolve({
          status: timedOut ? "timeout" : exitCode === 0 ? "passed" : "failed",
          exitCode,
          signal,
          stdout,
          stderr,
          networkIsolated: isolated,
        });
      });
    });
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
