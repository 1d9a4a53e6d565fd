import { accessSync, constants } from "node:fs";
import path from "node:path";
import { SandboxUnavailableError } from "../spec/index.js";
import { resolveSandboxLimits } from "./resolve-sandbox-limits.js";
import { spawnSandbox } from "./spawn-sandbox.js";
import type { SandboxAvailability } from "./types.js";

const executableFolders = ["/usr/bin", "/usr/local/bin", "/bin"];

/** The first bwrap in the usual system folders (the server's PATH is not trusted for this). */
export function defaultBubblewrapPath(): string {
  for (const folder of executableFolders) {
    const candidate = path.join(folder, "bwrap");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next folder
    }
  }
  return "/usr/bin/bwrap";
}

const availableAt = new Set<string>();

/**
 * Whether the sandbox works here: runs a trivial Python program through the very setup real runs use (bwrap, user
 * namespaces, seccomp, prlimit, /usr/bin/python3). A success is remembered for the process's life; a failure is
 * probed again next time, so installing bubblewrap needs no restart.
 */
export async function sandboxAvailability(bubblewrap: string = defaultBubblewrapPath()): Promise<SandboxAvailability> {
  if (availableAt.has(bubblewrap)) return { available: true };
  try {
    const outcome = await spawnSandbox({
      bubblewrap,
      language: "python",
      program: "print('ok')\n",
      stdin: "",
      limits: resolveSandboxLimits({ wallTimeMilliseconds: 30_000 }),
      signal: undefined,
    });
    if (outcome.started && outcome.exitCode === 0 && outcome.stdout.text().trim() === "ok") {
      availableAt.add(bubblewrap);
      return { available: true };
    }
    return { available: false, reason: explainFailure(outcome.started, outcome.exitCode, outcome.stderr.text()) };
  } catch (error) {
    return { available: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Throws SandboxUnavailableError (503 `sandbox_unavailable`) unless the sandbox works here. */
export async function assertSandboxAvailable(bubblewrap: string = defaultBubblewrapPath()): Promise<void> {
  const availability = await sandboxAvailability(bubblewrap);
  if (!availability.available) {
    throw new SandboxUnavailableError({ message: `Code execution is unavailable: the sandbox cannot run here (${availability.reason}). Code is never run outside it.` });
  }
}

function explainFailure(started: boolean, exitCode: number | undefined, stderr: string): string {
  const detail = stderr.trim().split("\n").slice(-3).join(" ").slice(0, 400);
  if (!started) {
    if (/namespace|Operation not permitted|setting up uid map|No permissions/i.test(detail)) {
      return `bubblewrap cannot create user namespaces: enable unprivileged user namespaces (sysctl user.max_user_namespaces > 0, kernel.unprivileged_userns_clone=1 where it exists, kernel.apparmor_restrict_unprivileged_userns=0 on Ubuntu 24.04+; containers need a seccomp profile that allows them): ${detail}`;
    }
    return `bubblewrap failed to set up the sandbox: ${detail || "no message"}`;
  }
  if (exitCode === 127 || /prlimit|python3/.test(detail)) {
    return `the sandbox needs /usr/bin/python3 and /usr/bin/prlimit (apt-get install python3-minimal util-linux): ${detail}`;
  }
  return `the sandbox self-test failed (exit code ${exitCode ?? "none"}): ${detail || "no message"}`;
}
