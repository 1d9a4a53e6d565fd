import type { Logger } from "pino";
import type { KeyPrincipal } from "../../../maas/index.js";
import type { OutputItem, ResponseRepository, RunStore, ServerCall } from "../../../responses/index.js";
import type { ServerToolRegistry } from "../../../server-tools/index.js";
import type { McpService } from "../../../mcp/index.js";
import type { KnowledgeService } from "../../../rag/index.js";
import type { FinishReason, Usage } from "../../../spec/index.js";
import type { MeteringDependencies } from "../../metering/index.js";
import type { AgentRunSupport } from "./agents/agent-run-support.js";
import type { RunEventHub } from "./run-event-hub.js";

/** What executing a run needs. */
export type RunExecutionDependencies = {
  store: RunStore;
  responses: ResponseRepository;
  tools: ServerToolRegistry;
  metering: MeteringDependencies;
  /** The principal of the key that started the run; undefined when it is gone (revoked, deleted, expired). */
  loadPrincipal: (keyId: string) => Promise<KeyPrincipal | undefined>;
  hub: RunEventHub;
  logger: Logger;
  now: () => number;
  /** How long an approval request waits before it is denied as "expired". */
  approvalTtlMs: number;
  /** MCP servers a request's `mcp` tools name (registered) or reach (ad-hoc URLs). Absent: `mcp` tools offer nothing. */
  mcp?: McpService | undefined;
  /** Knowledge bases a request's `file_search` tool searches. Absent: `file_search` offers nothing. */
  knowledge?: KnowledgeService | undefined;
  /** Runs of agents (`agent: {id, version}`): definitions, memory, recall, knowledge. Absent: such runs fail. */
  agents?: AgentRunSupport | undefined;
};

/** The logged output of a model call step: its reply (reused as is after a crash), never the call again. */
export type ModelStepOutput = {
  items: OutputItem[];
  serverCalls: ServerCall[];
  finishReason: FinishReason["unified"] | null;
  usage: Usage | null;
  error: { code: string; message: string } | null;
};

/** The input of an approval step: the call waiting for a decision; `inherited` when a previous response asked. */
export type ApprovalStepInput = ServerCall & { approvalId: string; serverLabel: string; inherited: boolean };

/** The input of a tool call step. */
export type ToolStepInput = ServerCall & { serverLabel: string; approvalRequestId: string | null };

/** How one execution of a run ended. */
export type RunOutcome = "finished" | "awaiting_approval" | "not_active";

/** Tool calls a run executes when the request sets no `max_tool_calls`. */
export const defaultMaxToolCalls = 64;
