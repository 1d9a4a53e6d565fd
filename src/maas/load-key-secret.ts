import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * The secret API keys are hashed under: `configured` when given, else the contents of `$home/secret`, created on
 * first use (32 random bytes, mode 0600). Concurrent first starts agree on one secret.
 */
export function loadKeySecret(home: string, configured?: string | undefined): string {
  if (configured !== undefined) return configured;
  const file = path.join(home, "secret");
  try {
    return readSecret(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  fs.mkdirSync(home, { recursive: true });
  // Write a temp file, then hard-link it into place: the link appears complete or not at all, and fails if another
  // process won the race (then its secret is the one read back).
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
  fs.writeFileSync(temporary, `${randomBytes(32).toString("base64url")}\n`, { mode: 0o600 });
  try {
    fs.linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    fs.rmSync(temporary, { force: true });
  }
  return readSecret(file);
}

function readSecret(file: string): string {
  const secret = fs.readFileSync(file, "utf8").trim();
  if (secret.length < 16) throw new Error(`key secret ${file} is too short; delete it to generate a new one (existing keys stop working)`);
  return secret;
}
