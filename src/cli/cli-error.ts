import { inspect } from "node:util";
import { AiplusError } from "../spec/index.js";

/**
 * The one line printed for a failed command: `aiplus: <message>`. The stack (and causes) only with `AIPLUS_DEBUG=1`.
 */
export function formatCliError(error: unknown, debug: boolean): string {
  if (debug && error instanceof Error && error.stack) {
    const causes: string[] = [];
    for (let cause = error.cause, depth = 0; cause !== undefined && depth < 5; cause = (cause as { cause?: unknown }).cause, depth += 1) {
      causes.push(`caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : inspect(cause)}`);
    }
    return `aiplus: ${[error.stack, ...causes].join("\n")}\n`;
  }
  const message = AiplusError.isInstance(error) || error instanceof Error ? error.message : String(error);
  return `aiplus: ${oneLine(message)}\n`;
}

/** Collapses a multi-line message into one line. */
export function oneLine(message: string): string {
  return message.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== "").join("; ");
}
