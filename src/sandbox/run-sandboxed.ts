import { constants } from "node:os";
import { SandboxUnavailableError } from "../spec/index.js";
import { resolveSandboxLimits } from "./resolve-sandbox-limits.js";
import { assertSandboxAvailable, defaultBubblewrapPath } from "./sandbox-availability.js";
import { type SandboxOutcome, spawnSandbox } from "./spawn-sandbox.js";
import type { SandboxRequest, SandboxResult, SandboxStatus } from "./types.js";

const SIGXCPU = constants.signals.SIGXCPU;

/**
 * Runs untrusted code (a model's completion, a user's test) in the one sandbox every code-running feature uses:
 * bubblewrap with every namespace unshared (no network, no host file system but a read-only /usr, `nobody` in its own
 * user namespace, its own PIDs), a seccomp filter, rlimits (CPU time, address space, processes, file size, no core
 * files), a private size-limited /tmp, a wall-clock kill of the whole sandbox and an output cap.
 *
 * Resolves with how the program ended (passed, failed, timeout or killed, with a reason): a hostile or broken program
 * is a result, not an error. Throws SandboxUnavailableError (503 `sandbox_unavailable`) where bubblewrap or user
 * namespaces are missing; it never falls back to running the code unsandboxed. Throws InvalidRequestError for limits
 * out of range, and the signal's reason when aborted.
 */
export async function runSandboxed(request: SandboxRequest): Promise<SandboxResult> {
  const limits = resolveSandboxLimits(request.limits);
  const bubblewrap = request.bubblewrap ?? defaultBubblewrapPath();
  await assertSandboxAvailable(bubblewrap);
  const outcome = await spawnSandbox({ bubblewrap, language: request.language, program: request.program, stdin: request.stdin ?? "", limits, signal: request.signal });
  if (!outcome.started && outcome.killedFor === undefined) {
    throw new SandboxUnavailableError({ message: `the code sandbox failed to start: ${outcome.stderr.text().trim().slice(-400) || "no message"}` });
  }
  const { status, reason } = classify(outcome);
  return {
    status,
    reason,
    exitCode: outcome.exitCode ?? null,
    stdout: outcome.stdout.text(),
    stderr: outcome.stderr.text(),
    outputTruncated: outcome.stdout.truncated || outcome.stderr.truncated,
    durationMilliseconds: outcome.durationMilliseconds,
  };
}

function classify(outcome: SandboxOutcome): { status: SandboxStatus; reason: string | undefined } {
  switch (outcome.killedFor) {
    case "wall time limit":
      return { status: "timeout", reason: "wall time limit" };
    case "output limit":
      return { status: "killed", reason: "output limit" };
    case undefined:
      break;
    default:
      return outcome.killedFor satisfies never;
  }
  const exitCode = outcome.exitCode;
  if (exitCode === undefined) return { status: "killed", reason: "the sandbox ended without an exit status" };
  if (exitCode === 0) return { status: "passed", reason: undefined };
  if (exitCode === 128 + SIGXCPU) return { status: "timeout", reason: "cpu time limit" };
  const signalName = exitCode > 128 ? Object.entries(constants.signals).find(([, number]) => number === exitCode - 128)?.[0] : undefined;
  if (signalName !== undefined) return { status: "killed", reason: `signal ${signalName}` };
  if (/(^|\n)MemoryError\b[^\n]*$/.test(outcome.stderr.text().trimEnd())) return { status: "failed", reason: "memory limit" };
  return { status: "failed", reason: `exit code ${exitCode}` };
}
