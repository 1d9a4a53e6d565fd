import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { PermissionDeniedError } from "../../spec/index.js";

/** Name of the web console's session cookie (HttpOnly, SameSite=Strict). */
export const consoleSessionCookie = "aiplus_session";

/** The console session token of a request, when it carries the cookie. */
export function readConsoleSessionCookie(c: Context): string | undefined {
  const token = getCookie(c, consoleSessionCookie);
  return token === undefined || token === "" ? undefined : token;
}

/** Methods that change state: cookie-authenticated ones must carry the session's `x-csrf-token`. */
export function isStateChanging(method: string): boolean {
  return method === "POST" || method === "PUT" || method === "PATCH" || method === "DELETE";
}

/**
 * Rejects a cross-site request with 403 `cross_site_request`: `Sec-Fetch-Site`, when present, must be `same-origin`
 * (or `none`, a person's own navigation), and `Origin`, when present, must be this server's origin.
 */
export function assertSameOrigin(c: Context): void {
  const fetchSite = c.req.header("sec-fetch-site");
  const origin = c.req.header("origin");
  const host = c.req.header("x-forwarded-host") ?? c.req.header("host");
  const crossSite = () => new PermissionDeniedError({ message: "Cross-site requests with the console session cookie are refused.", code: "cross_site_request" });
  if (fetchSite !== undefined && fetchSite !== "same-origin" && fetchSite !== "none") throw crossSite();
  if (origin === undefined) return;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw crossSite();
  }
  if (host === undefined || originHost.toLowerCase() !== host.toLowerCase()) throw crossSite();
}

/** Whether the request reached us over HTTPS (directly or through a proxy that says so): the cookie is then `Secure`. */
export function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase() === "https";
}
