import type { MiddlewareHandler } from "hono";
import type { KeyPrincipal } from "../../maas/index.js";
import type { AppEnvironment } from "../app-environment.js";

export type BearerAuthOptions = {
  /** Checks the `Authorization` header; throws AuthenticationError for a missing, unknown or revoked key. */
  authenticate: (authorization: string | undefined) => Promise<KeyPrincipal>;
};

/** Authenticates the API key and sets `principal`. */
export function bearerAuth({ authenticate }: BearerAuthOptions): MiddlewareHandler<AppEnvironment> {
  return async (c, next) => {
    c.set("principal", await authenticate(c.req.header("authorization")));
    await next();
  };
}
