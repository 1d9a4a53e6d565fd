import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** Length of the visible, non-secret part of a key (`aip_` plus 8 characters). */
export const apiKeyPrefixLength = 12;

/** A new API key: `aip_` + base64url of 32 random bytes. Shown once, never stored. */
export function generateApiKey(): string {
  return `aip_${randomBytes(32).toString("base64url")}`;
}

/** The keyed hash stored for a key: HMAC-SHA256 (hex) under the server's key secret. */
export function hashApiKey(key: string, secret: string): string {
  return createHmac("sha256", secret).update(key, "utf8").digest("hex");
}

/** The visible prefix that identifies a key in listings, e.g. `aip_3fK9xQ2m`. */
export function apiKeyPrefix(key: string): string {
  return key.slice(0, apiKeyPrefixLength);
}

/** Constant-time equality of two hex hashes. */
export function hashesEqual(left: string, right: string): boolean {
  const leftBytes = Buffer.from(left, "hex");
  const rightBytes = Buffer.from(right, "hex");
  return leftBytes.length === rightBytes.length && leftBytes.length > 0 && timingSafeEqual(leftBytes, rightBytes);
}
