import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Hono } from "hono";
import { toPrincipal } from "../../maas/index.js";
import type { AgentToolRunner } from "../../mcp/index.js";
import type { ResponseObject } from "../../responses/index.js";
import { AuthenticationError, InvalidRequestError } from "../../spec/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { handleError } from "../errors/handle-error.js";
import type { ResponsesRouteDependencies } from "../responses/create-response.js";
import { responsesRoutes } from "../responses/responses-routes.js";
import type { ResponseRunService } from "../responses/runs/response-run-service.js";

/**
 * Runs `agent__<name>` tools of aiplus's MCP server: `POST /v1/responses` with `agent` in-process as the calling key
 * (as `aiplus run` does), so the run is durable, checked and metered like any other (ledger rows, budget of that key).
 * Resolves once the run ended or paused for approval; the MCP caller going away cancels it.
 */
export function agentToolRunner(dependencies: ResponsesRouteDependencies & { runs: ResponseRunService }): AgentToolRunner {
  const routes = responsesRoutes(dependencies);
  return async (caller, agentId, request, signal) => {
    const record = caller.keyId === undefined ? undefined : await dependencies.maas.keys.get(caller.keyId);
    if (!record) throw new AuthenticationError({ message: "the calling API key is gone" });
    const principal = toPrincipal(record);
    const requestId = randomUUID();
    const app = new Hono<AppEnvironment>();
    app.onError(handleError(dependencies.logger));
    app.use(async (c, next) => {
      c.set("principal", principal);
      c.set("requestId", requestId);
      c.set("logger", dependencies.logger.child({ requestId, mcpTool: `agent:${agentId}` }));
      await next();
    });
    app.route("/", routes);
    const body = { agent: { id: agentId }, input: request.input, ...(request.user !== undefined ? { user: request.user } : {}) };
    const reply = await app.request("/", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal });
    if (!reply.ok) {
      const failure = (await reply.json().catch(() => undefined)) as { error?: { message?: string; param?: string | null } } | undefined;
      throw new InvalidRequestError({ message: failure?.error?.message ?? `the agent run could not start (HTTP ${reply.status})`, param: failure?.error?.param ?? undefined });
    }
    let response = (await reply.json()) as ResponseObject;
    // Executed by another process (or not started yet here): wait for its end or pause.
    while ((response.status === "queued" || response.status === "in_progress") && response.run_status !== "awaiting_approval") {
      signal.throwIfAborted();
      await dependencies.runs.settled(response.id);
      await sleep(100, undefined, { signal });
      response = (await dependencies.responses.get(response.id, principal.id)) ?? response;
    }
    return response;
  };
}
