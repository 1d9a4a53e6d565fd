import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createResponseRepository, createRunStore, type ResponseObject, type ResponseParameters, type RunStore } from "../../src/responses/index.js";
import { testDatabaseFactories, type TestDatabase } from "../store/test-databases.js";

const parameters: ResponseParameters = {
  model: "m", instructions: null, tools: [], tool_choice: "auto", text: { format: { type: "text" } }, temperature: null, top_p: null,
  max_output_tokens: null, max_tool_calls: null, metadata: {}, store: true, previous_response_id: null, parallel_tool_calls: true, user: null,
};

function response(id: string): ResponseObject {
  const { user: _user, temperature: _temperature, top_p: _topP, ...echoed } = parameters;
  return { ...echoed, id, object: "response", created_at: 1, status: "queued", background: true, completed_at: null, error: null, incomplete_details: null, output: [], truncation: "disabled", usage: null, temperature: 1, top_p: 1, run_status: "queued" };
}

const answer = { id: "msg_1", type: "message" as const, role: "assistant" as const, status: "completed" as const, content: [{ type: "output_text" as const, text: "hi", annotations: [] }] };

describe.each(testDatabaseFactories)("run store on $dialect", (factory) => {
  let testDatabase: TestDatabase;
  let store: RunStore;
  const clock = 1_000;
  beforeAll(async () => {
    testDatabase = await factory.open();
    store = createRunStore(testDatabase.database, { now: () => clock });
    await createResponseRepository(testDatabase.database).create({ response: response("resp_1"), keyId: "k1", parameters, inputItems: [] });
  });
  afterAll(async () => testDatabase?.close());

  it("commits steps, items and the response atomically; replays from the watermark after a crash", async () => {
    await store.seed("resp_1", [{ type: "response.created", response: response("resp_1"), sequence_number: 0 }], []);
    expect((await store.load("resp_1"))?.eventWatermark).toBe(1);
    await store.commit("resp_1", { insertStep: { index: 0, kind: "model_call", callId: null, status: "running", input: {}, ledgerRequestId: "req_1", firstEvent: 1 } }, 1);
    await store.appendEvent("resp_1", { type: "response.output_text.delta", item_id: "msg_1", output_index: 0, content_index: 0, delta: "hi", logprobs: [], sequence_number: 1 });
    expect(await store.nextSequence("resp_1")).toBe(2);
    // The crash: the running model call and its events are forgotten.
    await store.truncate("resp_1", 0, 1);
    expect(await store.steps("resp_1")).toEqual([]);
    expect((await store.eventsAfter("resp_1", -1, 10)).map((event) => event.sequenceNumber)).toEqual([0]);

    await store.commit("resp_1", { insertStep: { index: 0, kind: "model_call", callId: null, status: "running", input: {}, ledgerRequestId: "req_2", firstEvent: 1 } }, 1);
    const completed = { ...response("resp_1"), status: "in_progress" as const, output: [answer] };
    expect(await store.commit("resp_1", { completeStep: { index: 0, output: { reply: true } }, appendItems: [answer], response: completed }, 1)).toBe(true);
    expect(await store.steps("resp_1")).toEqual([{ index: 0, kind: "model_call", callId: null, status: "completed", input: {}, output: { reply: true }, ledgerRequestId: "req_2", firstEvent: 1 }]);
    expect((await store.load("resp_1"))?.response.output).toEqual([answer]);
  });

  it("decides an approval once, lists and expires pending ones, and closes a run once", async () => {
    await store.commit("resp_1", { insertApproval: { id: "mcpr_1", responseId: "resp_1", keyId: "k1", callId: "c1", serverLabel: "aiplus", name: "calculator", arguments: "{}", expiresAt: 5_000, createdAt: clock } }, 1);
    await store.commit("resp_1", { insertApproval: { id: "mcpr_2", responseId: "resp_1", keyId: "k1", callId: "c2", serverLabel: "aiplus", name: "calculator", arguments: "{}", expiresAt: 9_000, createdAt: clock } }, 1);
    expect((await store.pendingApprovals("k1", 10)).map((approval) => approval.id)).toEqual(["mcpr_1", "mcpr_2"]);
    expect(await store.pendingApprovals("k2", 10)).toEqual([]);
    expect((await store.dueApprovals(6_000)).map((approval) => approval.id)).toEqual(["mcpr_1"]);
    expect(await store.decide("mcpr_1", { approve: true, reason: null, decidedBy: "k1", continuedBy: "resp_1" })).toBe(true);
    expect(await store.decide("mcpr_1", { approve: false, reason: "late", decidedBy: "k1", continuedBy: "resp_1" })).toBe(false);
    expect(await store.approval("mcpr_1")).toMatchObject({ status: "approved", decidedBy: "k1", expiresAt: 5_000 });

    const cancelled = { ...response("resp_1"), status: "cancelled" as const, run_status: "cancelled" as const };
    expect(await store.close(cancelled, "response.failed")).toBe(true);
    expect(await store.close(cancelled, "response.failed")).toBe(false);
    expect(await store.state("resp_1")).toEqual({ status: "cancelled", runStatus: "cancelled" });
    // A closed run takes no more commits.
    expect(await store.commit("resp_1", { response: completedLater() }, 3)).toBe(false);
  });
});

function completedLater(): ResponseObject {
  return { ...response("resp_1"), status: "completed" };
}
