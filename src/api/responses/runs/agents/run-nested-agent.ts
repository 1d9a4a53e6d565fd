import { collectOutput, newResponseId, toChatMessages, type McpCallItem, type ResponseItem } from "../../../../responses/index.js";
import { startLanguageModelCall } from "../../../metering/index.js";
import { defaultNestedMaxSteps } from "./agent-run-support.js";
import { type AgentTurnContext, buildAgentTurn } from "./agent-turn.js";
import { recordNestedCall } from "./run-cost.js";
import { startWithFallback } from "./start-with-fallback.js";

/**
 * Runs an agent used as a tool: a nested sub-run with the task as its user message. Its model calls are metered to
 * the same key (each a ledger entry, budget reserved before it) and recorded under the response run, whose `max_cost`
 * they spend from: before each call the run's spending is checked, and a run that reached its `max_cost` stops the
 * nested run (the calling tool's error; the run then ends incomplete). Its server tools run inline (a tool that needs
 * approval is refused: a nested run cannot pause); its function tools and handoffs are not offered. Resolves with
 * the agent's final text; rejects (the calling tool's error) when it fails or makes `max_steps` calls without an answer.
 */
export async function runNestedAgent(context: AgentTurnContext, target: string, task: string, signal: AbortSignal): Promise<string> {
  const agent = await context.support.service.get(context.accessor, target);
  const turn = await buildAgentTurn(context, agent);
  const tools = new Map(turn.serverTools.filter((tool) => !tool.name.startsWith("transfer_to_")).map((tool) => [tool.name, tool]));
  const definitions = [...tools.values()].map((tool) => ({ name: tool.name, description: tool.description, parameters: tool.parameters }));
  const items: ResponseItem[] = [{ id: newResponseId("msg"), type: "message", role: "user", status: "completed", content: [{ type: "input_text", text: task }] }];
  const maxSteps = agent.version.definition.limits.max_steps ?? defaultNestedMaxSteps;
  for (let step = 0; step < maxSteps; step++) {
    signal.throwIfAborted();
    const budget = context.budget;
    if (budget?.maxCostNanos !== undefined && (await budget.spentNanos()) >= budget.maxCostNanos) {
      throw new Error(`the agent '${target}' was stopped: the run reached its max_cost`);
    }
    const options = {
      prompt: { type: "chat" as const, messages: toChatMessages(turn.instructions, items) },
      sampling: {},
      tools: definitions.length > 0 ? definitions : undefined,
      toolChoice: definitions.length > 0 ? { type: "auto" as const } : undefined,
    };
    const call = await startWithFallback(turn.models, (model) =>
      startLanguageModelCall(
        { dependencies: context.metering, principal: context.principal, requestSignal: signal, logger: context.logger },
        { endpoint: "responses", model, options, maxTokens: undefined, maxTokensParam: "max_output_tokens", promptParam: "input", stream: true },
      ),
    );
    if (budget) {
      try {
        await recordNestedCall(context.support.database, budget.responseId, call.id, (context.metering.now ?? Date.now)());
      } catch (error) {
        await call.parts.cancel(error).catch(() => undefined);
        throw error;
      }
    }
    const collected = await collectOutput(call.parts, {
      newId: newResponseId,
      emit: () => undefined,
      onWarnings: (warnings) => context.logger.warn({ model: call.model, warnings }, "the model could not honour some settings"),
      isServerTool: (name) => tools.has(name),
    });
    if (collected.error !== undefined) throw collected.error;
    items.push(...collected.output);
    if (collected.serverCalls.length === 0) {
      const text = collected.output.flatMap((item) => (item.type === "message" ? item.content.map((part) => part.text) : [])).join("");
      return text === "" ? `(the agent '${target}' gave no text answer)` : text;
    }
    for (const serverCall of collected.serverCalls) {
      const tool = tools.get(serverCall.name);
      const item: McpCallItem = { id: newResponseId("mcp"), type: "mcp_call", server_label: tool?.serverLabel ?? "aiplus", name: serverCall.name, arguments: serverCall.arguments, output: null, error: null, approval_request_id: null, status: "completed" };
      try {
        if (!tool) throw new Error(`the tool ${serverCall.name} is not available`);
        if (tool.requiresApproval) throw new Error(`the tool ${serverCall.name} needs approval, which a nested agent run cannot ask for`);
        item.output = await tool.execute(JSON.parse(serverCall.arguments || "{}") as unknown, {
          signal,
          idempotencyKey: `${context.responseId ?? "nested"}:${target}:${step}:${serverCall.callId}`,
          caller: { keyId: context.principal.id, isAdmin: context.principal.isAdmin },
        });
      } catch (error) {
        signal.throwIfAborted();
        item.error = error instanceof Error ? error.message : String(error);
        item.status = "failed";
      }
      items.push(item);
    }
  }
  throw new Error(`the agent '${target}' made ${maxSteps} model calls (its max_steps) without a final answer`);
}
