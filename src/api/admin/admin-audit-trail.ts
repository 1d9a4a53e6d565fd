import type { MiddlewareHandler } from "hono";
import type { Guardrails } from "../../guardrails/index.js";
import type { AppEnvironment } from "../app-environment.js";

const verbs: Record<string, string> = { POST: "create", PUT: "update", PATCH: "update", DELETE: "delete" };

/**
 * Writes every admin action (a POST, PUT, PATCH or DELETE under `/v1/admin`) to the audit log before it is carried
 * out: `keys.create`, `providers.update`, `policies.delete`, … with the acting key and the target path. When the log
 * cannot be written the action is refused (500 `audit_write_failed`) and nothing changes. An action that then fails
 * (status 400 and up) adds a second entry, `failed`, with the status. Reads are not logged.
 */
export function adminAuditTrail(guardrails: Guardrails): MiddlewareHandler<AppEnvironment> {
  return async (c, next) => {
    const verb = verbs[c.req.method];
    if (verb === undefined) return next();
    const principal = c.get("principal");
    const segments = c.req.path.replace(/^\/v1\/admin\/?/, "").split("/").filter(Boolean);
    const resource = segments[0] ?? "admin";
    const target = segments.slice(1).map(decodeSegment).join("/") || undefined;
    const action = `${resource}.${resource === "policies" && verb === "create" ? "set" : verb}`;
    const entry = { keyId: principal.id, actor: principal.name, target, details: { method: c.req.method, path: c.req.path } };
    await guardrails.audit.recordAdminAction({ ...entry, action });
    await next();
    if (c.res.status >= 400) await guardrails.audit.recordAdminAction({ ...entry, action: `${action}.failed`, details: { ...entry.details, status: c.res.status } });
  };
}

/** A path segment decoded; one with a malformed escape (`%ZZ`) as it was sent (the route answers it with its own error). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
