import type { Logger } from "pino";
import type { KeyPrincipal } from "../maas/index.js";

/** Typed per-request values the middleware sets (`c.get("principal")`, …). */
export type AppVariables = {
  /** Id of this HTTP request (`x-request-id`), for logs. */
  requestId: string;
  /** The request's logger, bound to `requestId`. */
  logger: Logger;
  /** The authenticated API key; set by `bearerAuth`. */
  principal: KeyPrincipal;
};

/** The Hono environment of the aiplus app. */
export type AppEnvironment = { Variables: AppVariables };
