import type { KeyPrincipal } from "../../../maas/index.js";
import { type ApiKeyId, InvalidRequestError } from "../../../spec/index.js";
import { collectOutput, newResponseId, toChatMessages, type RunStep } from "../../../responses/index.js";
import { toAiplusError } from "../../errors/to-aiplus-error.js";
import { startLanguageModelCall } from "../../metering/index.js";
import { toResponseCallOptions } from "../to-response-call-options.js";
import { AgentRun } from "./agents/agent-run.js";
import { startWithFallback } from "./agents/start-with-fallback.js";
import { fileCitations } from "../../../server-tools/index.js";
import { prepareRequestTools } from "./prepare-request-tools.js";
import { resolveServerCalls, type PendingCall } from "./resolve-server-calls.js";
import { RunExecution } from "./run-execution.js";
import { RunNotActiveError } from "./run-not-active-error.js";
import type { ApprovalStepInput, ModelStepOutput, RunExecutionDependencies, RunOutcome } from "./run-types.js";

export type ExecuteRunOptions = {
  /** Aborts the in-flight model or tool call: a cancel, or the server stopping (the run resumes later). */
  signal: AbortSignal;
  /** Whether an abort is the caller's cancel (the run ends `cancelled`) rather than a stop (the run stays as logged). */
  cancelRequested: () => boolean;
};

/**
 * Executes (or resumes) a response's run from its log: events after the last commit are dropped and a model call cut
 * by a crash is made again; finished model calls and tool calls are never repeated. Loop: settle the server calls of
 * the last reply (tools, approvals) → call the model with the conversation → … until a reply without server calls,
 * a client function call, a limit (`incomplete`), an error (`failed`), a pending approval (pause) or a cancel.
 */
export async function executeRun(dependencies: RunExecutionDependencies, responseId: string, options: ExecuteRunOptions): Promise<RunOutcome> {
  const { store } = dependencies;
  const run = await store.load(responseId);
  if (!run || (run.response.status !== "queued" && run.response.status !== "in_progress")) return "not_active";
  let steps = await store.steps(responseId);
  const cut = steps.at(-1);
  // A model call (or an agent's planner call) cut by a crash is made again.
  const cutModelCall = (cut?.kind === "model_call" || cut?.kind === "plan") && cut.status === "running" ? cut : undefined;
  let nextEvent = await store.nextSequence(responseId);
  const watermark = Math.min(run.eventWatermark ?? nextEvent, cutModelCall?.firstEvent ?? Number.POSITIVE_INFINITY);
  if (cutModelCall || watermark < nextEvent) {
    await store.truncate(responseId, cutModelCall?.index, watermark);
    steps = steps.filter((step) => step !== cutModelCall);
    nextEvent = watermark;
  }
  const principal = await dependencies.loadPrincipal(run.keyId);
  const history = run.parameters.previous_response_id ? ((await dependencies.responses.conversation(run.parameters.previous_response_id, run.keyId)) ?? []) : [];
  const execution = new RunExecution(dependencies, run, steps, nextEvent, principal ?? adminless(run.keyId), history, options.signal);
  try {
    if (!principal) {
      await execution.finish("failed", { error: { code: "invalid_api_key", message: "The API key that started this response was revoked, deleted or expired." } });
      return "finished";
    }
    if (run.parameters.agent) execution.agent = await loadAgentRun(execution);
    await prepareRequestTools(execution);
    return await loop(execution);
  } catch (error) {
    if (error instanceof RunNotActiveError) return "not_active";
    if (options.signal.aborted && options.cancelRequested()) {
      await execution.finish("cancelled");
      return "finished";
    }
    if (options.signal.aborted) throw error;
    const { error: mapped, isBug } = toAiplusError(error);
    if (isBug) dependencies.logger.error({ err: error, responseId }, "a response run failed");
    await execution.finish("failed", { error: { code: mapped.code ?? mapped.type, message: mapped.message } });
    return "finished";
  }
}

async function loop(execution: RunExecution): Promise<RunOutcome> {
  for (;;) {
    execution.signal.throwIfAborted();
    const lastModel = execution.steps.findLast((step) => step.kind === "model_call");
    const reply = lastModel?.output as ModelStepOutput | undefined;
    if (reply?.error) {
      await execution.finish("failed", { error: reply.error });
      return "finished";
    }
    if (reply?.finishReason === "length" || reply?.finishReason === "content-filter") {
      await execution.finish("incomplete", { incomplete_details: { reason: reply.finishReason === "length" ? "max_output_tokens" : "content_filter" } });
      return "finished";
    }
    const calls: PendingCall[] = reply ? reply.serverCalls.map((call) => ({ ...call, inherited: false })) : inheritedCalls(execution.steps);
    const outcome = await resolveServerCalls(execution, calls, lastModel?.index ?? -1);
    if (outcome === "awaiting_approval") {
      await execution.pause();
      return "awaiting_approval";
    }
    if (outcome === "max_tool_calls") {
      await execution.finish("incomplete", { incomplete_details: { reason: "max_tool_calls" } });
      return "finished";
    }
    if (reply && (reply.serverCalls.length === 0 || reply.items.some((item) => item.type === "function_call"))) {
      await execution.finish("completed");
      return "finished";
    }
    const limit = execution.run.parameters.max_output_tokens;
    const remaining = limit === null ? undefined : limit - (execution.usage()?.output_tokens ?? 0);
    if (remaining !== undefined && remaining <= 0) {
      await execution.finish("incomplete", { incomplete_details: { reason: "max_output_tokens" } });
      return "finished";
    }
    const stop = await execution.agent?.beforeModelCall();
    if (stop !== undefined) {
      await execution.finish("incomplete", { incomplete_details: { reason: stop } });
      return "finished";
    }
    await callModel(execution, remaining);
  }
}

/** Approvals a previous response asked for and this response continues (its first steps). */
function inheritedCalls(steps: RunStep[]): PendingCall[] {
  return steps
    .filter((step) => step.kind === "approval" && (step.input as ApprovalStepInput).inherited)
    .map((step) => {
      const input = step.input as ApprovalStepInput;
      return { callId: input.callId, name: input.name, arguments: input.arguments, inherited: true };
    });
}

/** One metered model call as a logged step: started with its ledger id, completed with its reply. */
async function callModel(execution: RunExecution, maxTokens: number | undefined): Promise<void> {
  const { dependencies, run } = execution;
  await execution.markRunning();
  const agentSetup = execution.agent?.callSetup();
  const parameters = agentSetup?.parameters ?? run.parameters;
  const serverTools = agentSetup?.serverTools ?? run.parameters.tools.flatMap((entry) => {
    if (entry.type !== "server_tool") return [];
    const tool = dependencies.tools.get(entry.name);
    return tool ? [{ name: tool.name, description: tool.description, parameters: tool.parameters }] : [];
  }).concat([...execution.requestTools.values()].map((tool) => ({ name: tool.name, description: tool.description, parameters: tool.parameters })));
  const serverToolNames = new Set(serverTools.map((tool) => tool.name));
  const messages = toChatMessages(parameters.instructions, [...execution.history, ...run.inputItems, ...execution.response.output]);
  // An agent's models in order: the next when one fails before any output (fallback_models).
  const call = await startWithFallback(agentSetup?.models ?? [run.parameters.model], (model) =>
    startLanguageModelCall(
      { dependencies: dependencies.metering, principal: execution.principal, requestSignal: execution.signal, logger: dependencies.logger },
      {
        endpoint: "responses",
        model,
        options: toResponseCallOptions(parameters, messages, { serverTools, maxTokens }),
        maxTokens,
        maxTokensParam: "max_output_tokens",
        promptParam: "input",
        stream: true,
      },
    ),
    (model, error) => dependencies.logger.warn({ err: error, model, responseId: execution.id }, "an agent's model failed; trying its next fallback model"),
  );
  const index = execution.nextStepIndex;
  try {
    await execution.commit({ insertStep: { index, kind: "model_call", callId: null, status: "running", input: { maxTokens: maxTokens ?? null }, ledgerRequestId: call.id, firstEvent: execution.writer.next } });
  } catch (error) {
    await call.parts.cancel(error).catch(() => undefined);
    throw error;
  }
  const collected = await collectOutput(call.parts, {
    newId: newResponseId,
    emit: (event) => execution.emit(event),
    onWarnings: (warnings) => dependencies.logger.warn({ model: call.model, warnings }, "the model could not honour some settings"),
    firstOutputIndex: execution.response.output.length,
    isServerTool: (name) => serverToolNames.has(name),
    annotate: (text) => fileCitations(execution.response.output, text),
  });
  execution.signal.throwIfAborted();
  const mapped = collected.error === undefined ? undefined : toAiplusError(collected.error);
  if (mapped?.isBug) dependencies.logger.error({ err: collected.error, responseId: execution.id }, "a model call of a response run failed");
  const output: ModelStepOutput = {
    items: collected.output,
    serverCalls: collected.serverCalls,
    finishReason: collected.finishReason?.unified ?? null,
    usage: collected.usage ?? null,
    error: mapped ? { code: mapped.error.code ?? mapped.error.type, message: mapped.error.message } : null,
  };
  await execution.commit({ completeStep: { index, output }, appendItems: collected.output, response: execution.withOutput(collected.output) });
}

/** The agent of a response naming one (`agent: {id, version}`); fails the run when agents are off or it is gone. */
async function loadAgentRun(execution: RunExecution): Promise<AgentRun> {
  const support = execution.dependencies.agents;
  if (!support) throw new InvalidRequestError({ message: "agents are not available on this server", param: "agent" });
  return AgentRun.load(execution, support);
}

/** A stand-in principal for a run whose key is gone (no rights: it only fails the run). */
function adminless(keyId: string): KeyPrincipal {
  return { id: keyId as ApiKeyId, name: "", prefix: "", isAdmin: false, allowCodeExecution: false, models: [], rpm: undefined, tpm: undefined, budgetNanos: undefined };
}
