import type { Logger } from "pino";
import type { AgentService } from "../agents/index.js";
import type { Gateway } from "../gateway/types.js";
import type { Guardrails } from "../guardrails/index.js";
import type { Maas } from "../maas/index.js";
import type { ExposedToolProvider, McpService } from "../mcp/index.js";
import type { ModelPullService } from "../model-pulls/index.js";
import type { KnowledgeService } from "../rag/index.js";
import type { ResponseRepository } from "../responses/index.js";
import type { ServerToolRegistry } from "../server-tools/index.js";
import type { RunTraces } from "../traces/index.js";
import type { ResponseRunService } from "./responses/runs/response-run-service.js";
import type { ModelMetadata, Runtime } from "../runtime/types.js";
import type { ModelRepository, ProviderRepository } from "../store/index.js";
import type { InFlightRequests } from "./metering/in-flight-requests.js";
import type { WorkflowService } from "../workflows/index.js";
import type { ChatImageSettings } from "./openai/resolve-chat-images.js";

/** Everything the HTTP app needs; the platform (composition root) builds it. */
export type AppDependencies = {
  maas: Pick<Maas, "authenticate" | "rateLimiter" | "assertModelAllowed" | "openMeteredRequest" | "keys" | "prices" | "usage" | "consoleSessions">;
  gateway: Gateway;
  /**
   * Guardrail policies, per-request guards, moderation and the audit log (`/v1/admin/policies`, `/v1/admin/audit`,
   * `/v1/moderations`). Absent: model calls carry no key guard (the gateway's fallback, if any, still applies).
   */
  guardrails?: Guardrails | undefined;
  runtime: Pick<Runtime, "stats" | "load" | "unload">;
  models: ModelRepository;
  providers: ProviderRepository;
  /** Reads a GGUF header (`inspectGguf`); throws InvalidModelFileError for a bad file. */
  inspectModelFile: (path: string) => Promise<ModelMetadata>;
  logger: Logger;
  /** Largest accepted request body in bytes (config `bodyLimit`). */
  bodyLimitBytes: number;
  /** Completion tokens reserved when a request sets no `max_tokens` (config `defaultReserveTokens`). */
  defaultReserveTokens: number;
  /**
   * Output tokens the ledger is written ahead of what was sent (one checkpoint per this many tokens): before a chunk
   * goes out, the ledger already bills at least the tokens in it. Defaults to 16.
   */
  writeAheadTokens?: number | undefined;
  /** See config `streamCoalesceMs`: events of this many ms share one socket write after the first. Defaults to 0. */
  streamCoalesceMs?: number | undefined;
  /**
   * Chat `image_url` parts: the size limit and the fetcher of http(s) URLs (config `imageMaxBytes`,
   * `imageUrlAllowedHosts`, `imageFetchTimeoutMs`). Defaults to 8 MiB and no URL fetching (data URLs only).
   */
  chatImages?: ChatImageSettings | undefined;
  /**
   * Aborts when the server stops taking requests (graceful shutdown): new requests get its reason (503
   * `server_shutting_down`, `retry-after`); running ones go on until `shutdownSignal`.
   */
  drainingSignal?: AbortSignal | undefined;
  /**
   * Aborts the model calls still running when the drain time is over: each ends with its reason as an error (a 503,
   * or an error event that ends a stream) and its ledger entry is settled as interrupted.
   */
  shutdownSignal?: AbortSignal | undefined;
  /** Tracks open ledger entries so shutdown can wait for them to settle. Defaults to a fresh tracker. */
  inFlight?: InFlightRequests | undefined;
  /** Model downloads as server-side jobs (`/v1/admin/model-pulls`). Absent: that route is off. */
  modelPulls?: ModelPullService | undefined;
  /** Knowledge bases (`/v1/knowledge-bases`, `/v1/rerank`, `knowledge_bases` in chat). Absent: those routes are off. */
  knowledge?: KnowledgeService | undefined;
  /** Stored responses of the Responses API (`/v1/responses`). Absent: those routes are off. */
  responses?: ResponseRepository | undefined;
  /** Durable response runs (background, server tools, approvals, `/v1/approvals`). Absent: those are off. */
  runs?: ResponseRunService | undefined;
  /** Runs' summaries and traces (`/v1/runs`, with `runs`). Absent: `/v1/runs` is off. */
  traces?: RunTraces | undefined;
  /** Server tools a response may name (`{"type":"server_tool","name":…}`). */
  serverTools?: ServerToolRegistry | undefined;
  /** MCP client registry (`/v1/admin/mcp`, `/v1/mcp/tools`). Absent: those routes are off. */
  mcp?: McpService | undefined;
  /** More tools aiplus's own MCP server (`/mcp`) exposes, besides knowledge search (agents, workflows). */
  mcpToolProviders?: ExposedToolProvider[] | undefined;
  /** Agents (`/v1/agents`, an aiplus extension) and their memory. Absent: those routes are off. */
  agents?: AgentService | undefined;
  /** Workflows (`/v1/workflows`, `/v1/workflow-runs`, an aiplus extension). Absent: those routes are off. */
  workflows?: WorkflowService | undefined;
  /** Folder of the built web console served at `/console/` (config `consoleDir`). Defaults to `defaultConsoleDirectory()`. */
  consoleDirectory?: string | undefined;
  /** Clock for `created` fields. Defaults to `Date.now`. */
  now?: (() => number) | undefined;
};
