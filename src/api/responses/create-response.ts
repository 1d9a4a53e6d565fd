import type { Context } from "hono";
import {
  collectOutput,
  finishResponse,
  newResponseId,
  toChatMessages,
  toResponseItems,
  type CollectedOutput,
  type ResponseObject,
  type ResponseParameters,
  type ResponseRepository,
  type ResponseStatus,
} from "../../responses/index.js";
import type { ServerToolRegistry } from "../../server-tools/index.js";
import { InvalidRequestError, NotFoundError } from "../../spec/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { toAiplusError } from "../errors/to-aiplus-error.js";
import { startLanguageModelCall } from "../metering/index.js";
import { bugLogger, callContext, eventStreamResponse, type RouteDependencies, warningLogger } from "../routes/route-helpers.js";
import { createRunResponse, needsRun } from "./create-run-response.js";
import { resolveRequestAgent } from "./resolve-request-agent.js";
import { ResponseEventStream } from "./response-event-stream.js";
import type { ResponseRunService } from "./runs/response-run-service.js";
import type { ResponseRequest } from "./response-request-schema.js";
import { toResponseCallOptions } from "./to-response-call-options.js";
import { toResponseParameters } from "./to-response-parameters.js";

export type ResponsesRouteDependencies = RouteDependencies & {
  responses: ResponseRepository;
  /** Durable runs (background, server tools, approvals). Absent: those are a 400. */
  runs?: ResponseRunService | undefined;
  /** The server tools requests may name. */
  serverTools?: ServerToolRegistry | undefined;
};

/**
 * `POST /v1/responses`: the conversation (the previous response's chain, then `input`) → one metered model call
 * (endpoint `responses`) → output items; stored (unless `store: false`) before the last event or the JSON goes out,
 * so a client can chain on it at once.
 */
export async function createResponse(c: Context<AppEnvironment>, dependencies: ResponsesRouteDependencies, request: ResponseRequest): Promise<Response> {
  const principal = c.get("principal");
  const parameters = toResponseParameters(request, request.agent ? await resolveRequestAgent(dependencies.agents, principal, request.agent) : undefined);
  const inputItems = toResponseItems(request.input, newResponseId);
  const history = parameters.previous_response_id ? await previousConversation(dependencies.responses, parameters.previous_response_id, principal.id) : [];
  const background = request.background ?? false;
  const { runs } = dependencies;
  const previousAwaiting = runs && parameters.previous_response_id ? (await runs.store.approvalsOf(parameters.previous_response_id)).some((approval) => approval.status === "pending") : false;
  if (needsRun(parameters, inputItems, background, previousAwaiting)) {
    if (!runs) throw new InvalidRequestError({ message: "background responses and server tools are not available on this server", param: background ? "background" : "tools" });
    const started = startedResponse(newResponseId("resp"), Math.floor((dependencies.now ?? Date.now)() / 1000), parameters);
    return createRunResponse(c, { ...dependencies, runs }, { parameters, inputItems, history, started, background, stream: request.stream ?? false });
  }
  const options = toResponseCallOptions(parameters, toChatMessages(parameters.instructions, [...history, ...inputItems]));
  const call = await startLanguageModelCall(callContext(c, dependencies), {
    endpoint: "responses",
    model: parameters.model,
    options,
    maxTokens: parameters.max_output_tokens ?? undefined,
    maxTokensParam: "max_output_tokens",
    promptParam: "input",
    stream: request.stream ?? false,
  });
  const started = startedResponse(newResponseId("resp"), call.created, parameters);
  if (parameters.store) {
    try {
      await dependencies.responses.create({ response: started, keyId: principal.id, parameters, inputItems });
    } catch (error) {
      await call.parts.cancel(error).catch(() => undefined);
      throw error;
    }
  }
  const now = dependencies.now ?? Date.now;
  const finish = async (collected: CollectedOutput): Promise<ResponseObject> => {
    const mapped = collected.error === undefined ? undefined : toAiplusError(collected.error);
    if (mapped?.isBug) bugLogger(c)(collected.error);
    const error = mapped ? { code: mapped.error.code ?? "server_error", message: mapped.error.message } : undefined;
    const final = finishResponse(started, collected, { completedAt: Math.floor(now() / 1000), error });
    if (parameters.store) await dependencies.responses.finish(final);
    return final;
  };
  const collectOptions = { newId: newResponseId, onWarnings: warningLogger(c, call.model) };

  if (!request.stream) {
    const collected = await collectOutput(call.parts, { ...collectOptions, emit: () => undefined });
    const final = await finish(collected);
    if (collected.error !== undefined) throw collected.error;
    return c.json(final);
  }

  const events = new ResponseEventStream();
  const run = (async () => {
    try {
      await events.emit({ type: "response.created", response: started });
      await events.emit({ type: "response.in_progress", response: started });
      const collected = await collectOutput(call.parts, { ...collectOptions, emit: events.emit });
      const final = await finish(collected);
      if (collected.error !== undefined) {
        const { error } = toAiplusError(collected.error);
        await events.emit({ type: "error", code: error.code ?? null, message: error.message, param: error.param ?? null });
      }
      await events.emit({ type: terminalEvent(final.status), response: final });
    } catch (error) {
      c.get("logger").error({ err: error }, "recording a streamed response failed");
      const { error: mapped } = toAiplusError(error);
      await events.emit({ type: "error", code: mapped.code ?? null, message: mapped.message, param: null });
    } finally {
      events.close();
    }
  })();
  dependencies.inFlight.track(run);
  return eventStreamResponse(c, events.body);
}

async function previousConversation(responses: ResponseRepository, id: string, keyId: string) {
  const conversation = await responses.conversation(id, keyId);
  if (!conversation) throw new NotFoundError({ message: `Previous response with id '${id}' not found.`, param: "previous_response_id" });
  return conversation;
}

export function startedResponse(id: string, createdAt: number, parameters: ResponseParameters): ResponseObject {
  const { user, temperature, top_p: topP, ...echoed } = parameters;
  return {
    id,
    object: "response",
    created_at: createdAt,
    status: "in_progress",
    background: false,
    completed_at: null,
    error: null,
    incomplete_details: null,
    output: [],
    truncation: "disabled",
    usage: null,
    ...echoed,
    // An ad-hoc MCP server's headers are secrets: the response shows their names only.
    tools: echoed.tools.map((tool) => (tool.type === "mcp" && tool.headers ? { ...tool, headers: Object.fromEntries(Object.keys(tool.headers).map((name) => [name, "<redacted>"])) } : tool)),
    temperature: temperature ?? 1,
    top_p: topP ?? 1,
    ...(user !== null ? { user } : {}),
  };
}

function terminalEvent(status: ResponseStatus): "response.completed" | "response.incomplete" | "response.failed" {
  switch (status) {
    case "completed":
      return "response.completed";
    case "incomplete":
      return "response.incomplete";
    case "failed":
    case "cancelled":
    case "queued":
    case "in_progress":
      return "response.failed";
    default:
      return status satisfies never;
  }
}
