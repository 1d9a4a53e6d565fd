import { Hono } from "hono";
import type { AppEnvironment } from "../app-environment.js";
import { adminGuard } from "../middleware/index.js";
import type { RouteDependencies } from "../routes/route-helpers.js";
import { keysRoutes } from "./keys-routes.js";
import { adminModelsRoutes } from "./models-routes.js";
import { pricesRoutes } from "./prices-routes.js";
import { providersRoutes } from "./providers-routes.js";
import { runtimeRoute } from "./runtime-route.js";
import { usageRoutes } from "./usage-routes.js";

/** Everything under `/v1/admin` (admin keys only). */
export function adminRoutes(dependencies: RouteDependencies): Hono<AppEnvironment> {
  return new Hono<AppEnvironment>()
    .use(adminGuard())
    .route("/keys", keysRoutes(dependencies))
    .route("/providers", providersRoutes(dependencies))
    .route("/models", adminModelsRoutes(dependencies))
    .route("/prices", pricesRoutes(dependencies))
    .route("/usage", usageRoutes(dependencies))
    .route("/runtime", runtimeRoute(dependencies));
}
