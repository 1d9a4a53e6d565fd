import { Hono } from "hono";
import type { AppEnvironment } from "../app-environment.js";
import { adminGuard } from "../middleware/index.js";
import type { RouteDependencies } from "../routes/route-helpers.js";
import { adminAuditTrail } from "./admin-audit-trail.js";
import { auditRoutes } from "./audit-routes.js";
import { keysRoutes } from "./keys-routes.js";
import { policiesRoutes } from "./policies-routes.js";
import { modelPullsRoutes } from "./model-pulls-routes.js";
import { adminModelsRoutes } from "./models-routes.js";
import { pricesRoutes } from "./prices-routes.js";
import { providersRoutes } from "./providers-routes.js";
import { runtimeRoute } from "./runtime-route.js";
import { usageRoutes } from "./usage-routes.js";

/** Everything under `/v1/admin` (admin keys only). */
export function adminRoutes(dependencies: RouteDependencies): Hono<AppEnvironment> {
  const admin = new Hono<AppEnvironment>().use(adminGuard());
  const guardrails = dependencies.guardrails;
  if (guardrails) admin.use(adminAuditTrail(guardrails)).route("/policies", policiesRoutes(guardrails)).route("/audit", auditRoutes(guardrails));
  if (dependencies.modelPulls) admin.route("/model-pulls", modelPullsRoutes(dependencies.modelPulls));
  return admin
    .route("/keys", keysRoutes(dependencies))
    .route("/providers", providersRoutes(dependencies))
    .route("/models", adminModelsRoutes(dependencies))
    .route("/prices", pricesRoutes(dependencies))
    .route("/usage", usageRoutes(dependencies))
    .route("/runtime", runtimeRoute(dependencies));
}
