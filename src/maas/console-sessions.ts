import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { AuthenticationError } from "../spec/index.js";
import { type ApiKeyRecord, createApiKeyRepository, createConsoleSessionRepository, type Database } from "../store/index.js";
import { toPrincipal } from "./authenticator.js";
import type { KeyPrincipal } from "./types.js";

export type ConsoleSessionsOptions = {
  database: Database;
  /** Secret the CSRF tokens are derived under (the key secret). */
  keySecret: string;
  /** Checks the API key a person signs in with (the bearer authenticator). */
  authenticate: (apiKey: string) => Promise<KeyPrincipal>;
  /** How long a session lasts (config `consoleSessionHours`). Defaults to 12 hours. */
  lifetimeMs?: number | undefined;
  /** Clock. Defaults to `Date.now`. */
  now?: () => number;
};

/** A live web console session. */
export type ConsoleSession = {
  /** SHA-256 hex of the cookie's token: what is stored, never the token. */
  id: string;
  principal: KeyPrincipal;
  /** The key as stored (budget counters), read when the session was checked. */
  key: ApiKeyRecord;
  createdAt: number;
  expiresAt: number;
  /** The token state-changing requests must send in `x-csrf-token`: an HMAC of the session id under the key secret. */
  csrfToken: string;
};

/** Web console sessions: an API key exchanged for an opaque cookie token. */
export type ConsoleSessions = ReturnType<typeof createConsoleSessions>;

export function createConsoleSessions(options: ConsoleSessionsOptions) {
  const now = options.now ?? Date.now;
  const lifetimeMs = options.lifetimeMs ?? 12 * 3_600_000;
  const sessions = createConsoleSessionRepository(options.database);
  const keys = createApiKeyRepository(options.database);
  const csrfTokenOf = (id: string) => createHmac("sha256", options.keySecret).update(`aiplus-console-csrf:${id}`, "utf8").digest("base64url");
  const ended = (message: string) => new AuthenticationError({ message, code: "invalid_session" });

  return {
    /** Checks `apiKey` and opens a session; returns the cookie's token (shown once) and the session. */
    async signIn(apiKey: string): Promise<{ token: string; session: ConsoleSession }> {
      const principal = await options.authenticate(apiKey);
      const key = await keys.get(principal.id);
      if (!key) throw ended("The API key no longer exists.");
      const createdAt = now();
      await sessions.deleteExpired(createdAt);
      const token = randomBytes(32).toString("base64url");
      const id = sessionIdOf(token);
      const expiresAt = createdAt + lifetimeMs;
      await sessions.insert({ id, keyId: principal.id, createdAt, expiresAt });
      return { token, session: { id, principal, key, createdAt, expiresAt, csrfToken: csrfTokenOf(id) } };
    },

    /**
     * The live session of a cookie token. Throws AuthenticationError when there is none, it expired, or its key was
     * revoked, expired or deleted (the session row is then deleted).
     */
    async resolve(token: string): Promise<ConsoleSession> {
      if (token.length === 0 || token.length > 128) throw ended("No console session; sign in again.");
      const id = sessionIdOf(token);
      const session = await sessions.get(id);
      if (!session) throw ended("The console session ended; sign in again.");
      const at = now();
      const key = await keys.get(session.keyId);
      const keyEnded = !key || key.revokedAt !== undefined || (key.expiresAt !== undefined && key.expiresAt <= at);
      if (session.expiresAt <= at || keyEnded) {
        await sessions.delete(id);
        throw ended(keyEnded ? "The console session ended: its API key was revoked or expired." : "The console session expired; sign in again.");
      }
      return { id, principal: toPrincipal(key), key, createdAt: session.createdAt, expiresAt: session.expiresAt, csrfToken: csrfTokenOf(id) };
    },

    /** Ends the session of a cookie token (idempotent). */
    async end(token: string): Promise<void> {
      await sessions.delete(sessionIdOf(token));
    },

    /** Whether `header` is the session's CSRF token (constant time). */
    csrfTokenMatches(session: ConsoleSession, header: string | undefined): boolean {
      if (header === undefined) return false;
      const expected = Buffer.from(session.csrfToken, "utf8");
      const given = Buffer.from(header, "utf8");
      return expected.length === given.length && timingSafeEqual(expected, given);
    },

    /** Moves a session's end (tests and tooling). */
    async setExpiresAt(token: string, expiresAt: number): Promise<void> {
      await sessions.setExpiresAt(sessionIdOf(token), expiresAt);
    },
  };
}

/** The stored id of a session token: its SHA-256 (hex). The token has 256 random bits, so no key is needed. */
function sessionIdOf(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
