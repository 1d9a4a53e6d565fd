import { collectOutput, newResponseId, toChatMessages, type PlanItem } from "../../../../responses/index.js";
import { toAiplusError } from "../../../errors/to-aiplus-error.js";
import { startLanguageModelCall } from "../../../metering/index.js";
import type { RunExecution } from "../run-execution.js";
import type { AgentTurn, AgentTurnContext } from "./agent-turn.js";
import { startWithFallback } from "./start-with-fallback.js";

/** The planner's request after the conversation (also what a scripted upstream keys the planner call on). */
export const planPrompt = "Write a short numbered plan (one step per line) for the task above. Reply with the plan only.";

/** The re-planner's request after a failed tool call. */
export function replanPrompt(failure: { name: string; error: string }): string {
  return `The tool ${failure.name} failed with: ${failure.error}. Revise the plan: reply with the revised numbered plan only.`;
}

/** The output of a `plan` step. */
export type PlanStepOutput = { item: PlanItem | null; usage: unknown; error: { code: string; message: string } | null };

/**
 * The planner step: one metered model call (the agent's instructions, the conversation, then the planner's request;
 * no tools) whose text is the plan, logged as a `plan` step and a `plan` output item (streamed like any item). A
 * revision (after a tool error) is a later step and item. A failed planner call fails the run.
 */
export async function writePlan(execution: RunExecution, turn: AgentTurn, context: AgentTurnContext, options: { revision: number; failure: { name: string; error: string } | undefined }): Promise<void> {
  const { run } = execution;
  const previous = execution.response.output.findLast((item) => item.type === "plan");
  const messages = toChatMessages(turn.instructions, [...execution.history, ...run.inputItems, ...execution.response.output]);
  const prompt = options.failure ? replanPrompt(options.failure) : planPrompt;
  messages.push({ role: "user", content: previous?.type === "plan" && options.failure ? `Your plan was:\n${previous.content}\n\n${prompt}` : prompt });
  const call = await startWithFallback(turn.models, (model) =>
    startLanguageModelCall(
      { dependencies: context.metering, principal: execution.principal, requestSignal: execution.signal, logger: context.logger },
      { endpoint: "responses", model, options: { prompt: { type: "chat", messages }, sampling: {} }, maxTokens: undefined, maxTokensParam: "max_output_tokens", promptParam: "input", stream: true },
    ),
  );
  const index = execution.nextStepIndex;
  try {
    await execution.commit({ insertStep: { index, kind: "plan", callId: null, status: "running", input: { revision: options.revision, agent: turn.agent.agent.name }, ledgerRequestId: call.id, firstEvent: execution.writer.next } });
  } catch (error) {
    await call.parts.cancel(error).catch(() => undefined);
    throw error;
  }
  const collected = await collectOutput(call.parts, {
    newId: newResponseId,
    emit: () => undefined,
    onWarnings: (warnings) => context.logger.warn({ model: call.model, warnings }, "the model could not honour some settings"),
  });
  execution.signal.throwIfAborted();
  if (collected.error !== undefined) {
    const { error } = toAiplusError(collected.error);
    const output: PlanStepOutput = { item: null, usage: collected.usage ?? null, error: { code: error.code ?? error.type, message: error.message } };
    await execution.commit({ completeStep: { index, output } });
    throw collected.error;
  }
  const content = collected.output.flatMap((item) => (item.type === "message" ? item.content.map((part) => part.text) : [])).join("").trim();
  const item: PlanItem = { id: newResponseId("plan"), type: "plan", agent: turn.agent.agent.name, revision: options.revision, content, status: "completed" };
  const outputIndex = execution.response.output.length;
  await execution.emit({ type: "response.output_item.added", output_index: outputIndex, item });
  await execution.emit({ type: "response.output_item.done", output_index: outputIndex, item });
  const output: PlanStepOutput = { item, usage: collected.usage ?? null, error: null };
  await execution.commit({ completeStep: { index, output }, appendItems: [item], response: execution.withOutput([item]) });
}
