import { randomBytes } from "node:crypto";

/** Prefixes of the ids aiplus gives responses and their items (OpenAI's conventions). */
export type ResponseIdPrefix = "resp" | "msg" | "fc" | "fco" | "call" | "mcp" | "mcpr" | "apr" | "mcpl" | "fs" | "plan";

/** A new random id such as `resp_3f…` (24 random bytes, hex). */
export function newResponseId(prefix: ResponseIdPrefix): string {
  return `${prefix}_${randomBytes(24).toString("hex")}`;
}

/** Generates the ids of a response and its items; injectable for tests. */
export type ResponseIdGenerator = (prefix: ResponseIdPrefix) => string;
