import { createHash, type Hash } from "node:crypto";
import fs from "node:fs";

/** A sha256 hash fed with the bytes of `file` (used to resume hashing a `.partial` download). */
export async function hashFile(file: string): Promise<Hash> {
  const hash = createHash("sha256");
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash;
}
