import { createHash } from "node:crypto";

/** sha256 of text (UTF-8) or bytes, lowercase hex. */
export function contentHash(content: string | Uint8Array): string {
  return createHash("sha256").update(content).digest("hex");
}
