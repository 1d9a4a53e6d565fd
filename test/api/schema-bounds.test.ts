import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ bodyLimit: 1_048_576 });
  await server.addModel("stories260K.gguf", "stories");
});
afterAll(async () => server?.close());

const messages = [{ role: "user" as const, content: "Once upon a time" }];
const base = { model: "stories", messages, max_tokens: 4 };

/** An object schema nesting `depth` levels of `properties.a` (each level is two JSON objects deep). */
function nested(levels: number): Record<string, unknown> {
  let schema: Record<string, unknown> = { type: "string" };
  for (let level = 0; level < levels; level += 1) schema = { type: "object", properties: { a: schema }, required: ["a"] };
  return schema;
}

/** A flat schema of about `bytes` bytes. */
function wide(bytes: number): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (let index = 0; index * 40 < bytes; index += 1) properties[`field_${index}`] = { type: "string", description: "x".repeat(10) };
  return { type: "object", properties };
}

async function rejection(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const result = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(result).toBeInstanceOf(OpenAI.APIError);
  return result as InstanceType<typeof OpenAI.APIError>;
}

describe("JSON Schema inputs are bounded (depth 64, 64 KB)", () => {
  const tool = (parameters: Record<string, unknown>) => [{ type: "function" as const, function: { name: "lookup", parameters } }];
  const format = (schema: Record<string, unknown>) => ({ type: "json_schema" as const, json_schema: { name: "answer", schema } });
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ["tools nested 1,500 levels (auto)", { ...base, tools: tool(nested(1500)) }, "tools[0].function.parameters", /parameters nests .* deeper than 64 levels/],
    ["tools nested 1,500 levels (required)", { ...base, tools: tool(nested(1500)), tool_choice: "required" }, "tools[0].function.parameters", /deeper than 64/],
    ["a second tool nested too deep", { ...base, tools: [...tool({ type: "object" }), { type: "function", function: { name: "b", parameters: nested(40) } }] }, "tools[1].function.parameters", /deeper than 64/],
    ["response_format nested 1,500 levels", { ...base, response_format: format(nested(1500)) }, "response_format.json_schema.schema", /schema nests .* deeper than 64 levels/],
    ["tool parameters over 64 KB", { ...base, tools: tool(wide(70_000)) }, "tools[0].function.parameters", /at most 65536 bytes/],
    ["a response_format schema over 64 KB", { ...base, response_format: format(wide(70_000)) }, "response_format.json_schema.schema", /at most 65536 bytes/],
  ];
  it.each(cases)("400 for %s, naming the field", async (_label, body, param, message) => {
    const error = await rejection(server.admin.post("/chat/completions", { body }));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.type).toBe("invalid_request_error");
    expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
  });

  it("accepts a schema at the bounds", async () => {
    // 31 levels of properties.a = 63 nested objects, within the depth bound.
    const completion = await server.admin.chat.completions.create({ ...base, tools: tool(nested(31)), tool_choice: "required" });
    expect(completion.choices).toHaveLength(1);
    const formatted = await server.admin.chat.completions.create({ ...base, response_format: format(nested(31)) });
    expect(formatted.choices).toHaveLength(1);
  });
});
