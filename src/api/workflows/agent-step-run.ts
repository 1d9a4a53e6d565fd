import type { AgentService } from "../../agents/index.js";
import type { KeyPrincipal } from "../../maas/index.js";
import { newResponseId, toResponseItems, type ResponseObject, type ResponseRepository } from "../../responses/index.js";
import { startedResponse } from "../responses/create-response.js";
import { resolveRequestAgent } from "../responses/resolve-request-agent.js";
import { responseRequestSchema } from "../responses/response-request-schema.js";
import type { ResponseRunService } from "../responses/runs/response-run-service.js";
import { toResponseParameters } from "../responses/to-response-parameters.js";

/** What an agent step needs of the Responses capability: its stored responses, durable runs and agents. */
export type AgentStepDependencies = { responses: ResponseRepository; runs: ResponseRunService; agents: AgentService; now: () => number };

const pollMs = 500;

/** A fresh id for an agent step's child run (logged in the step before the run is created). */
export const newAgentStepResponseId = (): string => newResponseId("resp");

/**
 * Starts the agent's durable child run `responseId` (a background `POST /v1/responses` with `agent`, as `principal`:
 * the agent's tools, memory, handoffs and limits, metered to that key, its approvals in the inbox), unless it exists
 * already (a workflow resumed after a crash reuses the run it logged).
 */
export async function ensureAgentStepRun(dependencies: AgentStepDependencies, principal: KeyPrincipal, responseId: string, agent: string, input: string): Promise<void> {
  if (await dependencies.responses.get(responseId, principal.id)) {
    await dependencies.runs.launch(responseId, principal.id);
    return;
  }
  const request = responseRequestSchema.parse({ agent: { id: agent }, input, background: true });
  const parameters = toResponseParameters(request, await resolveRequestAgent(dependencies.agents, principal, request.agent!));
  const inputItems = toResponseItems(request.input, newResponseId);
  const response: ResponseObject = { ...startedResponse(responseId, Math.floor(dependencies.now() / 1000), parameters), status: "queued", background: true, run_status: "queued" };
  await dependencies.responses.create({ response, keyId: principal.id, parameters, inputItems });
  await dependencies.runs.store.seed(responseId, [{ type: "response.created", response, sequence_number: 0 }, { type: "response.queued", response, sequence_number: 1 }], []);
  await dependencies.runs.launch(responseId, principal.id);
}

/** Waits for the child run to end; resolves with its output text, rejects when it did not complete. */
export async function awaitAgentStepRun(dependencies: AgentStepDependencies, keyId: string, responseId: string, signal: AbortSignal): Promise<string> {
  for (;;) {
    signal.throwIfAborted();
    const version = dependencies.runs.hub.version(responseId);
    const response = await dependencies.responses.get(responseId, keyId);
    if (!response) throw new Error(`the agent run ${responseId} is gone`);
    switch (response.status) {
      case "completed":
        return response.output.flatMap((item) => (item.type === "message" ? item.content.map((part) => ("text" in part ? part.text : "")) : [])).join("");
      case "failed":
      case "cancelled":
      case "incomplete":
        throw new Error(`the agent run ${responseId} ended ${response.status}${response.error ? `: ${response.error.message}` : response.incomplete_details ? `: ${response.incomplete_details.reason}` : ""}`);
      case "queued":
      case "in_progress":
        await dependencies.runs.hub.wait(responseId, version, pollMs);
        break;
      default:
        response.status satisfies never;
    }
  }
}
