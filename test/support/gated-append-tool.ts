import fs from "node:fs";
import path from "node:path";
import type { ServerTool } from "../../src/server-tools/index.js";

/**
 * A test server tool `gated_append` whose progress a test controls from outside (another process): it waits while the
 * file `<holdFolder>/<text>.before` exists, appends `text` and the idempotency key as a line to `file` unless a line
 * with that key is there already (idempotent: a rerun after a crash has no second effect), then waits while
 * `<holdFolder>/<text>.after` exists, and answers `appended: <text>`. Tests kill the server while it waits.
 */
export function gatedAppendTool(file: string, holdFolder: string): ServerTool {
  const waitWhile = async (hold: string, signal: AbortSignal) => {
    while (fs.existsSync(hold)) {
      signal.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return {
    name: "gated_append",
    description: "Appends a line of text to the log (once per call) and confirms it.",
    parameters: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
    idempotent: true,
    requiresApproval: false,
    async execute(args, context) {
      const text = (args as { text?: unknown }).text;
      if (typeof text !== "string" || !/^[\w-]+$/.test(text)) throw new Error("text must be a word");
      await waitWhile(path.join(holdFolder, `${text}.before`), context.signal);
      const lines = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n") : [];
      if (!lines.some((line) => line.endsWith(`\t${context.idempotencyKey}`))) fs.appendFileSync(file, `${text}\t${context.idempotencyKey}\n`);
      await waitWhile(path.join(holdFolder, `${text}.after`), context.signal);
      return `appended: ${text}`;
    },
  };
}
