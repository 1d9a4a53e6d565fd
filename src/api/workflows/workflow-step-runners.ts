import type { Logger } from "pino";
import { localAgentOperator, type AgentService } from "../../agents/index.js";
import { toPrincipal } from "../../maas/index.js";
import { runSandboxed } from "../../sandbox/index.js";
import type { ServerToolRegistry } from "../../server-tools/index.js";
import { InvalidRequestError, type LanguageModelCallOptions, type LanguageModelStreamPart, PermissionDeniedError } from "../../spec/index.js";
import { localWorkflowOwnerId, type LlmFormat, type WorkflowStepContext, type WorkflowStepRunners } from "../../workflows/index.js";
import { startLanguageModelCall, type MeteringDependencies } from "../metering/index.js";

export type WorkflowStepRunnerOptions = {
  /** The metering flow (every model call of a run is metered like a request of the run's key). */
  metering: MeteringDependencies;
  tools: ServerToolRegistry;
  agents: AgentService;
  logger: Logger;
  now: () => number;
};

/**
 * The platform's work for workflow steps: `llm` and `agent` steps are metered model calls of the run's key (the local
 * operator's runs (CLI) call the gateway directly, unmetered like `aiplus chat`), `tool` steps run a server tool, `code` steps run Python
 * in the sandbox (stdin: the run's values as JSON; output: stdout, parsed when it is JSON).
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
      const { version } = await options.agents.get(context.keyId === localWorkflowOwnerId ? localAgentOperator : { keyId: context.keyId, isAdmin: (await principalOf(context.keyId)).isAdmin }, request.agent);
      const definition = version.definition;
      const messages = [...(definition.instructions ? [{ role: "system" as const, content: definition.instructions }] : []), { role: "user" as const, content: request.input }];
      return callModel(definition.model, { prompt: { type: "chat", messages }, sampling: {} }, undefined, context);
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
