import type { MiddlewareHandler } from "hono";
import { PermissionDeniedError } from "../../spec/index.js";
import type { AppEnvironment } from "../app-environment.js";

/** Lets only admin keys through (403 otherwise). Runs after `bearerAuth`. */
export function adminGuard(): MiddlewareHandler<AppEnvironment> {
  return async (c, next) => {
    const principal = c.get("principal");
    if (!principal.isAdmin) {
      throw new PermissionDeniedError({
        message: `The API key ${principal.prefix}… is not an admin key; admin endpoints need one.`,
        code: "admin_key_required",
      });
    }
    await next();
  };
}
