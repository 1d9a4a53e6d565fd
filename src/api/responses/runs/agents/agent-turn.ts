import type { Logger } from "pino";
import { type AgentAccessor, approvalRequired, createSearchTool, renderMemoryBlocks, type ResolvedAgent } from "../../../../agents/index.js";
import type { KeyPrincipal } from "../../../../maas/index.js";
import type { FunctionTool } from "../../../../responses/index.js";
import type { ServerTool, ServerToolRegistry } from "../../../../server-tools/index.js";
import type { MeteringDependencies } from "../../../metering/index.js";
import { type AgentRunSupport, maxAgentToolDepth } from "./agent-run-support.js";
import type { RunBudget } from "./run-cost.js";
import { runNestedAgent } from "./run-nested-agent.js";
import { searchPastConversations } from "./search-past-conversations.js";

/** Who runs an agent and where: the key (billing, memory scope, agent and knowledge access), the user, the depth. */
export type AgentTurnContext = {
  support: AgentRunSupport;
  registry: ServerToolRegistry;
  metering: MeteringDependencies;
  logger: Logger;
  principal: KeyPrincipal;
  /** The key that started the run: agents and knowledge bases resolve as it sees them. */
  accessor: AgentAccessor;
  /** The end user (`user` of the request; '' when none): memory and recall are per agent, key and user. */
  userId: string;
  /** 0 for a response's own agents; 1 and more for agents used as tools. */
  depth: number;
  /** The response being run (left out of recall). */
  responseId?: string | undefined;
  /** The run's `max_cost`, which agents used as tools spend from too (their calls are recorded under the run). */
  budget?: RunBudget | undefined;
};

/** One agent ready for a model call: its instructions (memory rendered), its tools, the models to try in order. */
export type AgentTurn = {
  agent: ResolvedAgent;
  instructions: string;
  functionTools: FunctionTool[];
  serverTools: ServerTool[];
  /** Handoff tool names → the agent names they transfer to. */
  transfers: Map<string, string>;
  models: string[];
};

/** A tool name for an agent name (tool names allow letters, digits, `_` and `-` only). */
export function toolNameOf(prefix: string, agentName: string): string {
  return `${prefix}${agentName.replace(/[^A-Za-z0-9_-]/g, "_")}`.slice(0, 64);
}

/**
 * Builds an agent's turn: profile, instructions, the request's own instructions and the memory blocks of its scope
 * (agent, key, user) as the system instructions; function tools for the client; memory, recall, archival, knowledge
 * search, registry built-ins, agents-as-tools and handoffs (`transfer_to_<name>`) as server tools, each under the
 * agent's approval policy; the agent's model (or `primaryModel`) then its fallback models.
 */
export async function buildAgentTurn(context: AgentTurnContext, agent: ResolvedAgent, options: { requestInstructions?: string | null | undefined; primaryModel?: string | undefined } = {}): Promise<AgentTurn> {
  const { support } = context;
  const { definition } = agent.version;
  const keyId = context.accessor.keyId ?? "local";
  const scope = { agentId: agent.agent.id, keyId, userId: context.userId };
  const blocks = await support.service.memoryBlocks(scope, agent);
  const instructions = [
    definition.profile?.role ? `Role: ${definition.profile.role}` : "",
    definition.profile?.persona ?? "",
    definition.instructions ?? "",
    options.requestInstructions ?? "",
    renderMemoryBlocks(blocks),
  ]
    .filter((section) => section.trim() !== "")
    .join("\n\n");

  const policy = (tool: ServerTool): ServerTool => ({ ...tool, requiresApproval: tool.requiresApproval || approvalRequired(definition, tool.name) });
  const functionTools: FunctionTool[] = [];
  const serverTools: ServerTool[] = [...support.service.memoryTools(scope, agent)];
  const transfers = new Map<string, string>();
  if (definition.memory.recall) {
    serverTools.push(
      createSearchTool({
        name: "conversation_search",
        description: "Search your past conversations with this user (recall memory); returns matching messages, newest first.",
        search: (query, limit) => searchPastConversations(support.database, { ...scope, excludeResponseId: context.responseId }, query, limit),
      }),
    );
  }
  if (definition.memory.archival_knowledge_base !== undefined) {
    const base = definition.memory.archival_knowledge_base;
    serverTools.push(createSearchTool({ name: "archival_search", description: "Search your archival memory (a knowledge base).", search: (query, limit, signal) => searchKnowledge(context, [base], query, limit, signal) }));
  }
  for (const tool of definition.tools) {
    switch (tool.type) {
      case "function":
        functionTools.push({ type: "function", name: tool.name, description: tool.description ?? null, parameters: tool.parameters ?? null, strict: tool.strict ?? false });
        break;
      case "builtin":
        if (tool.name === "memory") break;
        if (tool.name === "knowledge_search") {
          const bases = tool.knowledge_bases;
          const top = tool.max_results;
          serverTools.push(createSearchTool({ name: "knowledge_search", description: `Search the knowledge bases ${bases.join(", ")}.`, search: (query, limit, signal) => searchKnowledge(context, bases, query, top ?? limit, signal) }));
          break;
        }
        {
          // http_fetch, code_interpreter: whichever capability registered them.
          const registered = context.registry.get(tool.name);
          if (registered) serverTools.push(registered);
          else context.logger.warn({ agent: definition.name, tool: tool.name }, "an agent's built-in tool is not available on this server");
        }
        break;
      case "mcp":
        // MCP tools are registered as `<server_label>__<tool>` by the MCP capability.
        for (const registered of context.registry.list()) {
          const [label, name] = registered.name.split("__");
          if (label === tool.server_label && name !== undefined && (tool.allowed_tools === undefined || tool.allowed_tools.includes(name))) serverTools.push(registered);
        }
        break;
      case "agent":
        serverTools.push(agentTool(context, tool.agent, tool.name ?? toolNameOf("", tool.agent), tool.description));
        break;
      default:
        tool satisfies never;
    }
  }
  for (const target of definition.handoffs) {
    const name = toolNameOf("transfer_to_", target);
    transfers.set(name, target);
    serverTools.push({
      name,
      description: `Hand the conversation over to the agent '${target}': it continues the task with its own instructions and tools.`,
      parameters: { type: "object", properties: {}, additionalProperties: false },
      idempotent: true,
      requiresApproval: false,
      async execute() {
        await support.service.get(context.accessor, target);
        return `Transferred to the agent '${target}'.`;
      },
    });
  }
  const models = [...new Set([options.primaryModel ?? definition.model, definition.model, ...definition.fallback_models])];
  return { agent, instructions, functionTools, serverTools: serverTools.map(policy), transfers, models };
}

/** An agent used as a tool: its call runs the agent as a nested sub-run (same key, depth-limited). */
function agentTool(context: AgentTurnContext, target: string, name: string, description: string | undefined): ServerTool {
  return {
    name,
    description: description ?? `Ask the agent '${target}' to do a task; returns its answer.`,
    parameters: { type: "object", properties: { input: { type: "string", description: "the task or question for the agent" } }, required: ["input"], additionalProperties: false },
    idempotent: false,
    requiresApproval: false,
    async execute(args, toolContext) {
      if (context.depth + 1 > maxAgentToolDepth) throw new Error(`agents used as tools nest at most ${maxAgentToolDepth} deep`);
      const input = typeof args === "object" && args !== null && typeof (args as { input?: unknown }).input === "string" ? (args as { input: string }).input : JSON.stringify(args);
      return runNestedAgent({ ...context, depth: context.depth + 1 }, target, input, toolContext.signal);
    },
  };
}

async function searchKnowledge(context: AgentTurnContext, bases: readonly string[], query: string, limit: number, signal: AbortSignal): Promise<string[]> {
  const knowledge = context.support.knowledge;
  if (!knowledge) throw new Error("knowledge bases are not available on this server");
  const found: string[] = [];
  for (const base of bases) {
    const result = await knowledge.query(context.accessor, base, { query, top: limit, abortSignal: signal });
    for (const passage of result.passages) found.push(`${passage.documentName}: ${passage.text}`);
  }
  return found.slice(0, limit);
}
