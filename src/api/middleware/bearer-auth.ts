import type { MiddlewareHandler } from "hono";
import type { ConsoleSessions, KeyPrincipal } from "../../maas/index.js";
import { PermissionDeniedError } from "../../spec/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { assertSameOrigin, isStateChanging, readConsoleSessionCookie } from "./console-session-cookie.js";

export type BearerAuthOptions = {
  /** Checks the `Authorization` header; throws AuthenticationError for a missing, unknown or revoked key. */
  authenticate: (authorization: string | undefined) => Promise<KeyPrincipal>;
  /**
   * Web console sessions: without an `Authorization` header, the `aiplus_session` cookie authenticates as its key
   * (same-origin only; state-changing methods need `x-csrf-token`). Absent: bearer only.
   */
  consoleSessions?: Pick<ConsoleSessions, "resolve" | "csrfTokenMatches"> | undefined;
};

/** Authenticates the API key (or the console session cookie) and sets `principal`. */
export function bearerAuth({ authenticate, consoleSessions }: BearerAuthOptions): MiddlewareHandler<AppEnvironment> {
  return async (c, next) => {
    const authorization = c.req.header("authorization");
    const token = authorization === undefined && consoleSessions ? readConsoleSessionCookie(c) : undefined;
    if (token === undefined || !consoleSessions) {
      c.set("principal", await authenticate(authorization));
      return next();
    }
    const session = await consoleSessions.resolve(token);
    assertSameOrigin(c);
    if (isStateChanging(c.req.method) && !consoleSessions.csrfTokenMatches(session, c.req.header("x-csrf-token"))) {
      throw new PermissionDeniedError({ message: "Missing or wrong x-csrf-token header for a request with the console session cookie.", code: "csrf_token_invalid" });
    }
    c.set("principal", session.principal);
    await next();
  };
}
