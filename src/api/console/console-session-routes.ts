import { type Context, Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import type { ConsoleSession, Maas } from "../../maas/index.js";
import { AuthenticationError, PermissionDeniedError } from "../../spec/index.js";
import { unixSeconds } from "../admin/admin-fields.js";
import type { AppEnvironment } from "../app-environment.js";
import { assertSameOrigin, consoleSessionCookie, isHttps, readConsoleSessionCookie } from "../middleware/index.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";
import { toOwnKeyView } from "./key-view.js";

const signInBody = z.strictObject({
  api_key: z.string({ error: "api_key must be a string" }).min(1, { error: "api_key must not be empty" }),
});

export type ConsoleSessionRoutesOptions = {
  maas: Pick<Maas, "consoleSessions">;
  /** Clock for the key view. Defaults to `Date.now`. */
  now?: (() => number) | undefined;
};

/**
 * `/v1/console/session`: `POST {api_key}` signs in (sets the HttpOnly, SameSite=Strict `aiplus_session` cookie and
 * returns the CSRF token), `GET` returns the current session (reloads), `DELETE` signs out (ends it server-side).
 * These routes authenticate by the cookie themselves; mount them before the bearer middleware.
 */
export function consoleSessionRoutes({ maas, now = Date.now }: ConsoleSessionRoutesOptions): Hono<AppEnvironment> {
  const sessionBody = (session: ConsoleSession) => ({
    object: "console.session",
    session: { created_at: unixSeconds(session.createdAt), expires_at: unixSeconds(session.expiresAt) },
    key: toOwnKeyView(session.key, now()),
    csrf_token: session.csrfToken,
  });
  const currentSession = async (c: Context<AppEnvironment>) => {
    const token = readConsoleSessionCookie(c);
    if (token === undefined) throw new AuthenticationError({ message: "No console session; sign in with an API key.", code: "invalid_session" });
    try {
      return { token, session: await maas.consoleSessions.resolve(token) };
    } catch (error) {
      deleteCookie(c, consoleSessionCookie, { path: "/", httpOnly: true, sameSite: "Strict", secure: isHttps(c) });
      throw error;
    }
  };
  return new Hono<AppEnvironment>()
    .post("/session", async (c) => {
      assertSameOrigin(c);
      const body = parseWithSchema(signInBody, await readJsonBody(c));
      const { token, session } = await maas.consoleSessions.signIn(body.api_key);
      setCookie(c, consoleSessionCookie, token, {
        path: "/",
        httpOnly: true,
        sameSite: "Strict",
        secure: isHttps(c),
        maxAge: Math.max(1, Math.floor((session.expiresAt - now()) / 1000)),
      });
      c.header("cache-control", "no-store");
      return c.json(sessionBody(session));
    })
    .get("/session", async (c) => {
      const { session } = await currentSession(c);
      assertSameOrigin(c);
      c.header("cache-control", "no-store");
      return c.json(sessionBody(session));
    })
    .delete("/session", async (c) => {
      const { token, session } = await currentSession(c);
      assertSameOrigin(c);
      if (!maas.consoleSessions.csrfTokenMatches(session, c.req.header("x-csrf-token"))) {
        throw new PermissionDeniedError({ message: "Missing or wrong x-csrf-token header for a request with the console session cookie.", code: "csrf_token_invalid" });
      }
      await maas.consoleSessions.end(token);
      deleteCookie(c, consoleSessionCookie, { path: "/", httpOnly: true, sameSite: "Strict", secure: isHttps(c) });
      return c.json({ object: "console.session", deleted: true });
    });
}
