import { AuthenticationError } from "../spec/index.js";
import { type ApiKeyRecord, createApiKeyRepository, type Database } from "../store/index.js";
import { hashApiKey, hashesEqual } from "./api-key-secret.js";
import type { KeyPrincipal } from "./types.js";

export type AuthenticatorOptions = {
  database: Database;
  keySecret: string;
  /** Clock for expiry. Defaults to `Date.now`. */
  now?: () => number;
};

/** Longest accepted key; anything longer is malformed. */
const maximumKeyLength = 512;

/**
 * Checks a bearer token (`Bearer aip_…` or the bare key) and returns its principal. Throws AuthenticationError for
 * a missing, malformed, unknown, revoked or expired key.
 */
export function createAuthenticator(options: AuthenticatorOptions): (bearer: string | undefined | null) => Promise<KeyPrincipal> {
  const now = options.now ?? Date.now;
  const keys = createApiKeyRepository(options.database);
  return async (bearer) => {
    const key = (bearer ?? "").trim().replace(/^Bearer\s+/i, "").trim();
    if (key.length === 0) {
      throw new AuthenticationError({
        message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        code: "missing_api_key",
      });
    }
    const incorrect = () =>
      new AuthenticationError({ message: `Incorrect API key provided: ${redact(key)}.`, code: "invalid_api_key" });
    if (key.length > maximumKeyLength || /\s/.test(key)) throw incorrect();
    const hash = hashApiKey(key, options.keySecret);
    const found = await keys.findByHash(hash);
    // The lookup is by hash (an index can't be timed into revealing a key); compare again in constant time.
    if (!found || !hashesEqual(found.hash, hash)) throw incorrect();
    const record = found.record;
    if (record.revokedAt !== undefined) {
      throw new AuthenticationError({ message: `API key revoked: ${record.prefix}…`, code: "api_key_revoked" });
    }
    if (record.expiresAt !== undefined && record.expiresAt <= now()) {
      throw new AuthenticationError({ message: `API key expired: ${record.prefix}… expired at ${new Date(record.expiresAt).toISOString()}`, code: "api_key_expired" });
    }
    return toPrincipal(record);
  };
}

export function toPrincipal(record: ApiKeyRecord): KeyPrincipal {
  return {
    id: record.id,
    name: record.name,
    prefix: record.prefix,
    isAdmin: record.isAdmin,
    allowCodeExecution: record.allowCodeExecution,
    models: record.models,
    rpm: record.rpm,
    tpm: record.tpm,
    maxConcurrentRequests: record.maxConcurrentRequests,
    budgetNanos: record.budgetNanos,
    policy: record.policy,
  };
}

/** Shows only the start of a wrong key, never all of it. */
function redact(key: string): string {
  return key.length <= 8 ? "****" : `${key.slice(0, 8)}****`;
}
