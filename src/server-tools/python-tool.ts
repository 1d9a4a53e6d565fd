import { z } from "zod";
import { runSandboxed, type SandboxLimits } from "../sandbox/index.js";
import { AiplusError } from "../spec/index.js";
import type { ServerTool } from "./server-tool.js";

/** Options of {@link pythonTool}. */
export type PythonToolOptions = {
  /** Limits of each run (see SandboxLimits). Defaults to the sandbox's defaults (10 s, 512 MiB). */
  limits?: SandboxLimits | undefined;
  /** Path of `bwrap`. Defaults to the sandbox's search. */
  bubblewrap?: string | undefined;
};

const argumentsSchema = z.object({ code: z.string().min(1).max(100_000) });

/**
 * Built-in `code_interpreter` (OpenAI's name; `python`, its earlier name, is an accepted alias): runs a Python program in the bubblewrap sandbox (no network, no host files but a read-only /usr,
 * limits) and returns how it ended with its stdout and stderr. Only keys with the code-execution permission (or admin
 * keys) may use it. Where the sandbox cannot run the result says so; the code never runs unsandboxed.
 */
export function pythonTool(options: PythonToolOptions = {}): ServerTool {
  return {
    name: "code_interpreter",
    aliases: ["python"],
    description: "Runs a Python 3 program in an isolated sandbox (no network, no files but a private /tmp) and returns its output. Print what you need.",
    parameters: { type: "object", properties: { code: { type: "string", description: "the Python program" } }, required: ["code"], additionalProperties: false },
    idempotent: true,
    requiresApproval: false,
    requiresCodeExecution: true,
    async execute(args, context) {
      if (!context.caller.isAdmin && context.caller.allowCodeExecution !== true) throw new Error("this API key may not execute code (allow_code_execution is off)");
      const parsed = argumentsSchema.safeParse(args);
      if (!parsed.success) throw new Error("code_interpreter takes {code}");
      try {
        const result = await runSandboxed({ language: "python", program: parsed.data.code, limits: options.limits, bubblewrap: options.bubblewrap, signal: context.signal });
        const ended = result.status === "passed" ? "passed" : `${result.status} (${result.reason ?? "no reason"})`;
        return `status: ${ended}\nstdout:\n${result.stdout}${result.stderr ? `\nstderr:\n${result.stderr}` : ""}${result.outputTruncated ? "\n(output truncated)" : ""}`;
      } catch (error) {
        if (AiplusError.isInstance(error) && error.code === "sandbox_unavailable") {
          throw new Error(`code execution is unavailable on this server, so the code was not run: ${error.message}`, { cause: error });
        }
        throw error;
      }
    },
  };
}
