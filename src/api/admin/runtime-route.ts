import { Hono } from "hono";
import type { AppEnvironment } from "../app-environment.js";
import type { RouteDependencies } from "../routes/route-helpers.js";
import { unixSeconds } from "./admin-fields.js";

/** `GET /v1/admin/runtime`: the model pool (loaded models, busy sequences, queue, memory). */
export function runtimeRoute({ runtime }: RouteDependencies): Hono<AppEnvironment> {
  return new Hono<AppEnvironment>().get("/", (c) => {
    const stats = runtime.stats();
    return c.json({
      object: "runtime",
      memory_budget_bytes: stats.memoryBudgetBytes,
      loaded: stats.loaded.map((model) => ({
        name: model.name,
        memory_bytes: model.memoryBytes,
        active_sequences: model.activeSequences,
        queued: model.queued,
        last_used_at: unixSeconds(model.lastUsedAt),
      })),
    });
  });
}
