import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { AgentRecord, AgentService } from "../../agents/index.js";
import type { ResponseObject } from "../../responses/index.js";
import { AiplusError } from "../../spec/index.js";
import type { McpCaller } from "../types.js";
import type { ExposedToolProvider } from "./exposed-tool.js";

/** Runs an agent to its end (or its pause) as a durable response run billed to the caller's key; the run's response. */
export type AgentToolRunner = (caller: McpCaller, agentId: string, request: { input: string; user?: string | undefined }, signal: AbortSignal) => Promise<ResponseObject>;

/** Most agents one caller sees as tools. */
const maxAgentTools = 500;

/**
 * `agent__<name>`: one tool per agent the key may use (its own; admin keys: every agent, the caller's own first when
 * names repeat). Calling it runs the agent on `input` as a durable run (the same run loop as `POST /v1/responses` with
 * `agent`) and returns its answer, with the response id in `structuredContent`; a run that pauses for an approval
 * returns at once, naming the approval ids (decide them at `/v1/approvals`).
 */
export function agentTools(agents: AgentService, runAgent: AgentToolRunner): ExposedToolProvider {
  return async (caller) => {
    const visible: AgentRecord[] = [];
    let after: string | undefined;
    do {
      const page = await agents.list(caller, { limit: 100, order: "asc", after });
      visible.push(...page.items);
      after = page.hasMore ? page.items.at(-1)?.id : undefined;
    } while (after !== undefined && visible.length < maxAgentTools);
    const ownerId = caller.keyId ?? "local";
    const byName = new Map<string, AgentRecord>();
    for (const agent of visible.sort((a, b) => Number(b.ownerId === ownerId) - Number(a.ownerId === ownerId))) {
      if (!byName.has(agent.name)) byName.set(agent.name, agent);
    }
    return [...byName.values()].map((agent) => ({
      name: `agent__${agent.name}`,
      title: `Run the agent ${agent.name}`,
      description: `Runs the aiplus agent '${agent.name}' on a task and returns its answer.`,
      inputSchema: z.object({
        input: z.string().min(1, { error: "input must not be empty" }).max(1_000_000).describe("the task (the agent's user message)"),
        user: z.string().min(1).max(256).optional().describe("the end user (the agent's memory is per key and user)"),
      }),
      annotations: { readOnlyHint: false, openWorldHint: true },
      async run(args, { caller: accessor, signal }): Promise<CallToolResult> {
        const { input, user } = args as { input: string; user?: string };
        try {
          return toolResult(await runAgent(accessor, agent.id, { input, user }, signal));
        } catch (error) {
          if (!AiplusError.isInstance(error)) throw error;
          return { content: [{ type: "text", text: `${error.message}${error.param ? ` (param: ${error.param})` : ""}` }], isError: true };
        }
      },
    }));
  };
}

function toolResult(response: ResponseObject): CallToolResult {
  const base = { response_id: response.id, status: response.run_status ?? response.status };
  if (response.run_status === "awaiting_approval") {
    const approvals = response.output.flatMap((item) => (item.type === "mcp_approval_request" ? [{ id: item.id, name: item.name, server_label: item.server_label }] : []));
    const list = approvals.map((approval) => `${approval.id} (${approval.name})`).join(", ");
    return {
      content: [{ type: "text", text: `The agent run ${response.id} is awaiting approval: ${list}. Decide with POST /v1/approvals/{id}/approve or /deny; the run then continues.` }],
      structuredContent: { ...base, approvals },
    };
  }
  const text = response.output.flatMap((item) => (item.type === "message" ? item.content.flatMap((part) => (part.type === "output_text" ? [part.text] : [])) : [])).join("");
  if (response.status === "completed") return { content: [{ type: "text", text }], structuredContent: { ...base, output_text: text } };
  const reason = response.error?.message ?? response.incomplete_details?.reason ?? response.status;
  return { content: [{ type: "text", text: `The agent run ${response.id} ended ${response.status}: ${reason}` }], structuredContent: { ...base, output_text: text }, isError: true };
}
