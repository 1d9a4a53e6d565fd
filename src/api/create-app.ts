import { Hono } from "hono";
import { agentsRoutes } from "./agents/index.js";
import { consoleSessionRoutes, consoleStaticRoutes, defaultConsoleDirectory, meRoutes, usageSummaryRoutes } from "./console/index.js";
import { adminRoutes } from "./admin/admin-routes.js";
import type { AppDependencies } from "./app-dependencies.js";
import type { AppEnvironment } from "./app-environment.js";
import { handleError, handleNotFound } from "./errors/handle-error.js";
import { arenaRoutes, evalRoutes } from "./evals/index.js";
import type { EvalService } from "../eval/index.js";
import { knowledgeRoutes, rerankRoute } from "./knowledge/index.js";
import { mcpAdminRoutes, mcpEndpointRoute, mcpToolsRoutes } from "./mcp/index.js";
import { agentTools, knowledgeSearchTool, workflowTools } from "../mcp/index.js";
import { agentToolRunner } from "./mcp/agent-tool-runner.js";
import { approvalsRoutes, responsesRoutes } from "./responses/index.js";
import { runsRoutes } from "./runs/index.js";
import { InFlightRequests } from "./metering/index.js";
import { bearerAuth, bodyLimit, requestId, requestRateLimit, shutdownGate } from "./middleware/index.js";
import { chatCompletionsRoute } from "./routes/chat-completions-route.js";
import { completionsRoute } from "./routes/completions-route.js";
import { embeddingsRoute } from "./routes/embeddings-route.js";
import { modelsRoutes } from "./routes/models-routes.js";
import { moderationsRoute } from "./routes/moderations-route.js";
import { usageReportRoutes } from "./usage/index.js";
import { workflowsRoutes } from "./workflows/index.js";

/**
 * The OpenAI-compatible HTTP app: `/v1/models`, `/v1/chat/completions`, `/v1/completions`, `/v1/embeddings`,
 * the admin API under `/v1/admin` and `GET /health`. Every error leaves through one handler as OpenAI's error JSON.
 *
 * @example
 * const app = createApp({ maas, gateway, runtime, models, providers, inspectModelFile: inspectGguf, logger, bodyLimitBytes: 4 << 20, defaultReserveTokens: 4096 });
 * serve({ fetch: app.fetch, port: 8787 });
 */
export function createApp(dependencies: AppDependencies & { evaluation?: EvalService | undefined }): Hono<AppEnvironment> {
  const routeDependencies = { ...dependencies, inFlight: dependencies.inFlight ?? new InFlightRequests() };
  const rateLimit = requestRateLimit({ rateLimiter: dependencies.maas.rateLimiter });
  const app = new Hono<AppEnvironment>();
  app.onError(handleError(dependencies.logger));
  app.notFound(handleNotFound);
  app.use(requestId({ logger: dependencies.logger }));
  app.get("/health", (c) => (dependencies.drainingSignal?.aborted ? c.json({ status: "draining" }, 503) : c.json({ status: "ok" })));
  app.use("/v1/*", shutdownGate({ drainingSignal: dependencies.drainingSignal, requests: routeDependencies.inFlight }));
  app.use("/v1/*", bodyLimit({ maxBytes: dependencies.bodyLimitBytes }));
  // Console sign-in/out authenticate by the cookie themselves; every other /v1 route takes a bearer key or the cookie.
  app.route("/v1/console", consoleSessionRoutes({ maas: dependencies.maas, now: dependencies.now }));
  app.use("/v1/*", bearerAuth({ authenticate: dependencies.maas.authenticate, consoleSessions: dependencies.maas.consoleSessions }));
  app.route("/v1/me", meRoutes({ maas: dependencies.maas, now: dependencies.now }));
  app.route("/v1/usage", usageSummaryRoutes({ maas: dependencies.maas, now: dependencies.now }));
  app.route("/v1/usage", usageReportRoutes({ maas: dependencies.maas, guardrails: dependencies.guardrails }));
  app.use("/v1/chat/completions", rateLimit);
  app.use("/v1/completions", rateLimit);
  app.use("/v1/embeddings", rateLimit);
  app.route("/v1/models", modelsRoutes(routeDependencies));
  app.route("/v1/chat/completions", chatCompletionsRoute(routeDependencies));
  app.route("/v1/completions", completionsRoute(routeDependencies));
  app.route("/v1/embeddings", embeddingsRoute(routeDependencies));
  if (dependencies.guardrails) {
    app.use("/v1/moderations", rateLimit);
    app.route("/v1/moderations", moderationsRoute(dependencies.guardrails));
  }
  app.route("/v1/admin", adminRoutes(routeDependencies));
  const knowledge = dependencies.knowledge;
  if (knowledge) {
    app.use("/v1/knowledge-bases/*", rateLimit);
    app.use("/v1/rerank", rateLimit);
    app.route("/v1/knowledge-bases", knowledgeRoutes({ ...routeDependencies, knowledge }));
    app.route("/v1/rerank", rerankRoute({ ...routeDependencies, knowledge }));
  }
  const responses = dependencies.responses;
  if (responses) {
    app.use("/v1/responses", rateLimit);
    app.route("/v1/responses", responsesRoutes({ ...routeDependencies, responses }));
    if (dependencies.runs) app.route("/v1/approvals", approvalsRoutes(dependencies.runs, dependencies.workflows));
    if (dependencies.runs && dependencies.traces) app.route("/v1/runs", runsRoutes({ runs: dependencies.runs, traces: dependencies.traces }));
  }
  const mcp = dependencies.mcp;
  if (mcp) {
    app.route("/v1/admin/mcp", mcpAdminRoutes({ ...routeDependencies, mcp }));
    app.use("/v1/mcp/*", rateLimit);
    app.route("/v1/mcp/tools", mcpToolsRoutes({ mcp }));
  }
  // aiplus as an MCP server: knowledge search, agents and workflows (when on) plus whatever else registers a provider.
  const mcpProviders = [
    ...(knowledge ? [knowledgeSearchTool(knowledge)] : []),
    ...(dependencies.agents && responses && dependencies.runs ? [agentTools(dependencies.agents, agentToolRunner({ ...routeDependencies, responses, runs: dependencies.runs }))] : []),
    ...(dependencies.workflows ? [workflowTools(dependencies.workflows)] : []),
    ...(dependencies.mcpToolProviders ?? []),
  ];
  app.use("/mcp", shutdownGate({ drainingSignal: dependencies.drainingSignal, requests: routeDependencies.inFlight }));
  app.use("/mcp", bodyLimit({ maxBytes: dependencies.bodyLimitBytes }), bearerAuth({ authenticate: dependencies.maas.authenticate }), rateLimit);
  app.route("/mcp", mcpEndpointRoute({ providers: mcpProviders, maxBodyBytes: dependencies.bodyLimitBytes }));
  const agents = dependencies.agents;
  if (agents) app.route("/v1/agents", agentsRoutes({ ...routeDependencies, agents }));
  const workflows = dependencies.workflows;
  if (workflows) app.route("/v1", workflowsRoutes({ workflows }));
  const evaluation = dependencies.evaluation;
  if (evaluation) {
    app.route("/v1/evals", evalRoutes({ ...routeDependencies, evaluation }));
    app.route("/v1/arena", arenaRoutes({ ...routeDependencies, evaluation }));
  }
  // The web console (single-page app) at /console/, `/` redirects there.
  app.route("/", consoleStaticRoutes({ directory: dependencies.consoleDirectory ?? defaultConsoleDirectory() }));
  return app;
}
