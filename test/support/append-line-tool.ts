import fs from "node:fs";
import type { ServerTool } from "../../src/server-tools/index.js";

/** A test server tool with a side effect: appends `text` (and the idempotency key) as a line to `file`. Not idempotent. */
export function appendLineTool(file: string): ServerTool {
  return {
    name: "append_line",
    description: "Appends a line of text to the log and confirms it.",
    parameters: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
    idempotent: false,
    requiresApproval: false,
    async execute(args, context) {
      const text = (args as { text?: unknown }).text;
      if (typeof text !== "string") throw new Error("text must be a string");
      fs.appendFileSync(file, `${text}\t${context.idempotencyKey}\n`);
      return `appended: ${text}`;
    },
  };
}
