import type { Logger } from "pino";
import type { AgentService } from "../../agents/index.js";
import { toPrincipal } from "../../maas/index.js";
import { runSandboxed } from "../../sandbox/index.js";
import type { ServerToolRegistry } from "../../server-tools/index.js";
import { InvalidRequestError, type LanguageModelCallOptions, type LanguageModelStreamPart, PermissionDeniedError } from "../../spec/index.js";
import { localWorkflowOwnerId, type LlmFormat, type WorkflowStepContext, type WorkflowStepRunners } from "../../workflows/index.js";
import { startLanguageModelCall, type MeteringDependencies } from "../metering/index.js";
import type { ResponseRepository } from "../../responses/index.js";
import type { ResponseRunService } from "../responses/runs/response-run-service.js";
import { awaitAgentStepRun, ensureAgentStepRun, newAgentStepResponseId } from "./agent-step-run.js";

export type WorkflowStepRunnerOptions = {
  /** The metering flow (every model call of a run is metered like a request of the run's key). */
  metering: MeteringDependencies;
  tools: ServerToolRegistry;
  agents: AgentService;
  /** Stored responses and durable response runs: an `agent` step is a child agent run (`POST /v1/responses` with `agent`). */
  responses: ResponseRepository;
  runs: ResponseRunService;
  logger: Logger;
  now: () => number;
};

/**
 * The platform's work for workflow steps: `llm` steps are metered model calls of the run's key; an `agent` step is a
 * durable child run of the agent (its tools, memory, handoffs, limits; metered to the run's key) whose response id is
 * logged in the step first, so a resumed workflow waits for that run instead of starting the agent again; `tool`
 * steps run a server tool (one that requires approval pauses the run first); `code` steps run Python in the sandbox
 * (stdin: the run's values as JSON; output: stdout, parsed when it is JSON). Runs of the local operator (`local`,
 * started before `aiplus workflows run` used the key `aiplus-cli-run`) call the gateway directly and have no agent steps.
 */
export function workflowStepRunners(options: WorkflowStepRunnerOptions): WorkflowStepRunners {
  const { metering, logger } = options;

  async function principalOf(keyId: string) {
    const record = await metering.maas.keys.get(keyId);
    if (!record || record.revokedAt !== undefined || (record.expiresAt !== undefined && record.expiresAt <= options.now())) {
      throw new PermissionDeniedError({ message: "The API key that started this workflow run was revoked, deleted or expired.", code: "invalid_api_key" });
    }
    return toPrincipal(record);
  }

  async function callModel(model: string, callOptions: Omit<LanguageModelCallOptions, "abortSignal">, maxTokens: number | undefined, context: WorkflowStepContext): Promise<string> {
    if (context.keyId === localWorkflowOwnerId) {
      const { model: languageModel } = await metering.gateway.languageModel(model);
      const { stream } = await languageModel.doStream({ ...callOptions, abortSignal: context.signal });
      return (await collectText(stream)).text;
    }
    const call = await startLanguageModelCall(
      { dependencies: metering, principal: await principalOf(context.keyId), requestSignal: context.signal, logger },
      { endpoint: "chat.completions", model, options: callOptions, maxTokens, maxTokensParam: "max_tokens", promptParam: "messages", stream: false },
    );
    return (await collectText(call.parts)).text;
  }

  return {
    async llm(request, context) {
      const messages = [...(request.system ? [{ role: "system" as const, content: request.system }] : []), { role: "user" as const, content: request.prompt }];
      const text = await callModel(request.model, { prompt: { type: "chat", messages }, sampling: { maxTokens: request.maxTokens, temperature: request.temperature }, responseFormat: toResponseFormat(request.format) }, request.maxTokens, context);
      return request.format && request.format.type !== "text" ? parseJsonReply(text) : text;
    },

    async agent(request, context) {
      if (context.keyId === localWorkflowOwnerId) throw new Error("agent steps run as an API key's agent runs; start the run with a key (`aiplus workflows run` uses aiplus-cli-run)");
      const principal = await principalOf(context.keyId);
      const logged = (context.logged as { response_id?: unknown } | null)?.response_id;
      const responseId = typeof logged === "string" ? logged : newAgentStepResponseId();
      await context.note({ response_id: responseId });
      const dependencies = { responses: options.responses, runs: options.runs, agents: options.agents, now: options.now };
      await ensureAgentStepRun(dependencies, principal, responseId, request.agent, request.input);
      return awaitAgentStepRun(dependencies, principal.id, responseId, context.signal);
    },

    toolNeedsApproval: (name) => options.tools.get(name)?.requiresApproval === true,

    /** Cancels the child runs agent steps logged (`response_id`) that are still queued or in progress. */
    async cancelStepWork(keyId, steps) {
      if (keyId === localWorkflowOwnerId) return;
      for (const step of steps) {
        const responseId = (step.output as { response_id?: unknown } | null)?.response_id;
        if (typeof responseId !== "string") continue;
        const child = await options.responses.get(responseId, keyId);
        if (child && (child.status === "queued" || child.status === "in_progress")) await options.runs.cancel(child);
      }
    },

    async tool(request, context) {
      const tool = options.tools.get(request.tool);
      if (!tool) throw new InvalidRequestError({ message: `no server tool named '${request.tool}'`, param: "tool" });
      if (context.previousAttempts > 0 && !tool.idempotent) throw new Error("interrupted: the tool call was cut by a crash and the tool is not idempotent");
      const isAdmin = context.keyId === localWorkflowOwnerId ? true : (await principalOf(context.keyId)).isAdmin;
      const text = await tool.execute(request.arguments, { signal: context.signal, idempotencyKey: `${context.runId}:${context.stepKey}`, caller: { keyId: context.keyId, isAdmin } });
      return parseMaybeJson(text);
    },

    async code(request, context) {
      const result = await runSandboxed({ language: "python", program: request.source, stdin: request.stdin, limits: { wallTimeMilliseconds: request.timeoutMs }, signal: context.signal });
      if (result.status !== "passed") throw new Error(`the code ${result.status} (${result.reason ?? "no reason"}): ${result.stderr.trim().slice(-400)}`);
      return parseMaybeJson(result.stdout.trim());
    },
  };
}

async function collectText(parts: ReadableStream<LanguageModelStreamPart>): Promise<{ text: string }> {
  let text = "";
  const reader = parts.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    const part = next.value;
    if (part.type === "text-delta") text += part.delta;
    else if (part.type === "error") throw part.error;
  }
  return { text };
}

function toResponseFormat(format: LlmFormat | undefined): LanguageModelCallOptions["responseFormat"] {
  if (!format) return undefined;
  switch (format.type) {
    case "text":
      return undefined;
    case "json_object":
      return { type: "json_object" };
    case "json_schema":
      return { type: "json_schema", name: format.name, schema: format.schema, strict: format.strict };
    default:
      return format satisfies never;
  }
}

function parseJsonReply(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`the model's reply is not the JSON its text.format asks for: ${text.slice(0, 200)}`);
  }
}

function parseMaybeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
