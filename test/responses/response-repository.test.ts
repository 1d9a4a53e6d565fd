import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createResponseRepository, type ResponseItem, type ResponseObject, type ResponseParameters, type ResponseRepository } from "../../src/responses/index.js";
import { testDatabaseFactories, type TestDatabase } from "../store/test-databases.js";

const parameters: ResponseParameters = {
  model: "m",
  instructions: null,
  tools: [],
  tool_choice: "auto",
  text: { format: { type: "text" } },
  temperature: null,
  top_p: null,
  max_output_tokens: null,
  max_tool_calls: null,
  metadata: {},
  store: true,
  previous_response_id: null,
  parallel_tool_calls: true,
  user: null,
};

function response(id: string, previous: string | null = null): ResponseObject {
  const { user: _user, temperature: _temperature, top_p: _topP, ...echoed } = parameters;
  return {
    ...echoed,
    id,
    object: "response",
    created_at: 1,
    status: "in_progress",
    background: false,
    completed_at: null,
    error: null,
    incomplete_details: null,
    output: [],
    truncation: "disabled",
    usage: null,
    temperature: 1,
    top_p: 1,
    previous_response_id: previous,
  };
}

const userMessage = (id: string, text: string): ResponseItem => ({ id, type: "message", role: "user", status: "completed", content: [{ type: "input_text", text }] });
const answer = (id: string, text: string) => ({ id, type: "message" as const, role: "assistant" as const, status: "completed" as const, content: [{ type: "output_text" as const, text, annotations: [] }] });

describe.each(testDatabaseFactories)("response repository on $dialect", (factory) => {
  let testDatabase: TestDatabase;
  let responses: ResponseRepository;
  beforeAll(async () => {
    testDatabase = await factory.open();
    responses = createResponseRepository(testDatabase.database, { now: () => 1_000 });
  });
  afterAll(async () => testDatabase?.close());

  it("stores a run's input items, then its output after them; reads are scoped to the key", async () => {
    await responses.create({ response: response("resp_a"), keyId: "k1", parameters, inputItems: [userMessage("msg_1", "one"), userMessage("msg_2", "two"), userMessage("msg_3", "three")] });
    expect((await responses.get("resp_a", "k1"))?.status).toBe("in_progress");
    const finished = { ...response("resp_a"), status: "completed" as const, completed_at: 2, output: [answer("msg_out", "done")] };
    await responses.finish(finished);
    expect(await responses.get("resp_a", "k1")).toEqual(finished);
    expect(await responses.get("resp_a", "k2")).toBeUndefined();
    expect(await responses.listInputItems("resp_a", "k2", { limit: 20, order: "desc" })).toBeUndefined();

    const desc = await responses.listInputItems("resp_a", "k1", { limit: 2, order: "desc" });
    expect(desc).toEqual({ items: [userMessage("msg_3", "three"), userMessage("msg_2", "two")], hasMore: true });
    const next = await responses.listInputItems("resp_a", "k1", { limit: 2, order: "desc", after: "msg_2" });
    expect(next).toEqual({ items: [userMessage("msg_1", "one")], hasMore: false });
    const asc = await responses.listInputItems("resp_a", "k1", { limit: 5, order: "asc", after: "msg_1" });
    expect(asc?.items.map((item) => item.id)).toEqual(["msg_2", "msg_3"]);
    await expect(responses.listInputItems("resp_a", "k1", { limit: 5, order: "asc", after: "msg_out" })).rejects.toMatchObject({ statusCode: 400, param: "after" });
  });

  it("a conversation follows previous_response_id oldest first; a deleted ancestor ends it", async () => {
    await responses.create({ response: response("resp_b", "resp_a"), keyId: "k1", parameters, inputItems: [userMessage("msg_4", "four")] });
    await responses.finish({ ...response("resp_b", "resp_a"), status: "completed", output: [answer("msg_out2", "fine")] });
    const conversation = await responses.conversation("resp_b", "k1");
    expect(conversation?.map((item) => item.id)).toEqual(["msg_1", "msg_2", "msg_3", "msg_out", "msg_4", "msg_out2"]);
    expect(await responses.conversation("resp_b", "k2")).toBeUndefined();

    expect(await responses.remove("resp_a", "k2")).toBe(false);
    expect(await responses.remove("resp_a", "k1")).toBe(true);
    expect(await responses.get("resp_a", "k1")).toBeUndefined();
    expect((await responses.conversation("resp_b", "k1"))?.map((item) => item.id)).toEqual(["msg_4", "msg_out2"]);
    expect(await responses.conversation("resp_a", "k1")).toBeUndefined();
  });
});
