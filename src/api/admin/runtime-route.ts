import { Hono } from "hono";
import type { AppEnvironment } from "../app-environment.js";
import type { RouteDependencies } from "../routes/route-helpers.js";
import { unixSeconds } from "./admin-fields.js";

/** `GET /v1/admin/runtime`: the engine, the model pool (loaded models, busy sequences, queue, memory) and its llama-server workers. */
export function runtimeRoute({ runtime }: RouteDependencies): Hono<AppEnvironment> {
  return new Hono<AppEnvironment>().get("/", (c) => {
    const stats = runtime.stats();
    return c.json({
      object: "runtime",
      memory_budget_bytes: stats.memoryBudgetBytes,
      held_bytes: stats.heldBytes ?? 0,
      engine: stats.engine ? { active: stats.engine.active, requested: stats.engine.requested, reason: stats.engine.reason, native_built: stats.engine.native.built } : null,
      loaded: stats.loaded.map((model) => ({
        name: model.name,
        engine: model.engine,
        memory_bytes: model.memoryBytes,
        active_sequences: model.activeSequences,
        queued: model.queued,
        last_used_at: unixSeconds(model.lastUsedAt),
      })),
      workers: stats.loaded.flatMap((model) =>
        model.worker
          ? [{
              model: model.name,
              engine: model.engine,
              pid: model.worker.pid ?? null,
              state: model.worker.state,
              slots_busy: model.worker.slotsBusy,
              slots_total: model.worker.slotsTotal,
              memory_bytes: model.worker.residentBytes ?? null,
              restarts: model.worker.restarts,
            }]
          : []),
    });
  });
}
