import type { Context } from "hono";
import {
  toChatMessages,
  type ApprovalRecord,
  type McpApprovalResponseItem,
  type ResponseItem,
  type ResponseObject,
  type ResponseParameters,
  type RunStep,
} from "../../responses/index.js";
import { InvalidRequestError } from "../../spec/index.js";
import type { AppEnvironment } from "../app-environment.js";
import type { ResponsesRouteDependencies } from "./create-response.js";
import { checkRequestTools } from "./check-request-tools.js";
import { followRunEvents } from "./runs/follow-run-events.js";
import type { ResponseRunService } from "./runs/response-run-service.js";
import type { ApprovalStepInput } from "./runs/run-types.js";
import { eventStreamResponse } from "../routes/route-helpers.js";

export type RunRequest = {
  parameters: ResponseParameters;
  inputItems: ResponseItem[];
  history: ResponseItem[];
  started: ResponseObject;
  background: boolean;
  stream: boolean;
};

/**
 * A response executed as a durable run (background, server tools, approvals): checked and stored (`queued` when in
 * the background), its approvals answered, its job started here; then the queued response at once (background), its
 * events as they are logged (stream), or the response once the run ended or paused.
 */
export async function createRunResponse(c: Context<AppEnvironment>, dependencies: ResponsesRouteDependencies & { runs: ResponseRunService }, request: RunRequest): Promise<Response> {
  const { runs } = dependencies;
  const { parameters, inputItems } = request;
  const principal = c.get("principal");
  if (!parameters.store) throw new InvalidRequestError({ message: "background responses and server tools need store: true (the run is stored to be resumed)", param: "store" });
  await checkRequestTools(dependencies, principal, parameters.tools);
  await dependencies.gateway.languageModel(parameters.model);
  dependencies.maas.assertModelAllowed(principal, parameters.model);
  toChatMessages(parameters.instructions, [...request.history, ...inputItems]); // unpaired calls: 400 now, not in the run
  const continued = await answeredApprovals(runs, parameters.previous_response_id, principal.id, inputItems);

  const response: ResponseObject = { ...request.started, status: request.background ? "queued" : "in_progress", background: request.background, run_status: "queued" };
  await dependencies.responses.create({ response, keyId: principal.id, parameters, inputItems });
  const steps: Array<Omit<RunStep, "output">> = continued.approvals.map((approval, index) => ({
    index,
    kind: "approval",
    callId: approval.callId,
    status: "completed",
    input: { callId: approval.callId, name: approval.name, arguments: approval.arguments, approvalId: approval.id, serverLabel: approval.serverLabel, inherited: true } satisfies ApprovalStepInput,
    ledgerRequestId: null,
    firstEvent: 0,
  }));
  const events = [
    { type: "response.created" as const, response, sequence_number: 0 },
    ...(request.background ? [{ type: "response.queued" as const, response, sequence_number: 1 }] : []),
  ];
  if (!continued.previous) await runs.store.seed(response.id, events, []);
  else {
    // One transaction: the decisions, this run's first steps and the end of the run that asked.
    const previous: ResponseObject = { ...continued.previous, status: "completed", run_status: "completed", completed_at: Math.floor((dependencies.now ?? Date.now)() / 1000) };
    const closed = await runs.store.close(previous, "response.completed", async (transaction) => {
      for (const approval of continued.approvals) {
        const answer = continued.answers.get(approval.id);
        const decision = answer ? { approve: answer.approve, reason: answer.reason } : { approve: false, reason: "not answered" };
        if (!(await runs.store.decide(approval.id, { ...decision, decidedBy: principal.id, continuedBy: response.id }, transaction))) {
          throw new InvalidRequestError({ message: `approval request ${approval.id} was decided meanwhile`, param: "input" });
        }
      }
      await runs.store.seed(response.id, events, steps, transaction);
    });
    if (!closed) throw new InvalidRequestError({ message: `the previous response ${continued.previous.id} is no longer awaiting approval`, param: "previous_response_id" });
  }
  runs.hub.notify(continued.previous?.id ?? response.id);
  await runs.launch(response.id, principal.id);

  const requestSignal = c.req.raw.signal;
  const cancelOnDisconnect = () => void runs.cancel(response).catch((error: unknown) => c.get("logger").warn({ err: error }, "cancelling a run after a disconnect failed"));
  if (request.stream) {
    return eventStreamResponse(c, followRunEvents({ store: runs.store, hub: runs.hub, responseId: response.id, startingAfter: -1, onClientGone: request.background ? undefined : cancelOnDisconnect }));
  }
  if (!request.background) {
    requestSignal.addEventListener("abort", cancelOnDisconnect, { once: true });
    await runs.settled(response.id);
    requestSignal.removeEventListener("abort", cancelOnDisconnect);
  }
  return c.json((await dependencies.responses.get(response.id, principal.id)) ?? response);
}

/** Whether a request must run as a durable run (an agent's response always does). */
export function needsRun(parameters: ResponseParameters, inputItems: ResponseItem[], background: boolean, previousAwaiting: boolean): boolean {
  return background || previousAwaiting || parameters.agent !== undefined || parameters.tools.some((tool) => tool.type !== "function") || inputItems.some((item) => item.type === "mcp_approval_response");
}

/**
 * The approvals a request continues: every pending approval of the previous response (it must be awaiting them),
 * with the request's answers. An answer to an unknown, foreign or decided approval, or a duplicate, is a 400 on `input`.
 */
async function answeredApprovals(runs: ResponseRunService, previousId: string | null, keyId: string, inputItems: ResponseItem[]) {
  const answers = new Map<string, McpApprovalResponseItem>();
  for (const item of inputItems) {
    if (item.type !== "mcp_approval_response") continue;
    const approval = await runs.store.approval(item.approval_request_id);
    if (!approval || approval.keyId !== keyId || approval.responseId !== previousId) {
      throw new InvalidRequestError({ message: `No approval request with id '${item.approval_request_id}' in the previous response.`, param: "input" });
    }
    if (approval.status !== "pending") throw new InvalidRequestError({ message: `Approval request '${item.approval_request_id}' was already decided (${approval.status}).`, param: "input" });
    if (answers.has(approval.id)) throw new InvalidRequestError({ message: `Approval request '${approval.id}' is answered twice.`, param: "input" });
    answers.set(approval.id, item);
  }
  const approvals: ApprovalRecord[] = previousId ? (await runs.store.approvalsOf(previousId)).filter((approval) => approval.status === "pending") : [];
  const previous = approvals.length > 0 && previousId ? (await runs.store.load(previousId))?.response : undefined;
  return { answers, approvals, previous };
}
