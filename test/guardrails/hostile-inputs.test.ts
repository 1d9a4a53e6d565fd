import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lastUserMessage, receivedText, respondWith, startGuardrailServer, type GuardrailServer } from "./guardrail-server.js";

// Hostile inputs under the guardrails: a 4 MB body of near-matches, deeply nested JSON, invalid UTF-8 and a
// catastrophic-backtracking pattern get an answer or a clear error (never a hang or a crash), fail closed, and
// leave the server up.

const email = "alice.smith@example.com";
let server: GuardrailServer;

beforeAll(async () => {
  server = await startGuardrailServer();
  await server.setPolicy("default", { pii: "mask", custom: [{ name: "REDOS", pattern: "(a+)+$" }], dictionaries: [{ name: "CODENAME", words: ["bluebird"] }] });
  server.upstream.fallback = respondWith(server.upstream, (hit) => `got ${lastUserMessage(hit).length}`);
});

afterAll(async () => {
  await server?.close();
});

async function post(body: string | Blob): Promise<{ status: number; json: any }> {
  const response = await fetch(`${server.url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${server.adminKey}`, "content-type": "application/json" }, body });
  return { status: response.status, json: await response.json() };
}

async function healthy(): Promise<void> {
  expect((await fetch(`${server.url}/health`)).status).toBe(200);
  server.upstream.hits.length = 0;
  const answer = await server.admin.chat.completions.create({ model: "remote-model", messages: [{ role: "user", content: `still there? ${email}` }] });
  expect(answer.choices[0]!.message.content).toMatch(/^got /);
  expect(receivedText(server.upstream.hits[0]!)).not.toContain(email);
}

describe("hostile inputs", () => {
  it("a ~4 MB body of near-matches is scanned or refused as too slow, never forwarded raw", async () => {
    const nearMatches = ["4111 1111 1111 111 ", "a@b ", "+1 415 555 ", "DE89 3704 ", "123-45-678 ", "10.1.2. ", "sk-proj-abc ", "bluebir "];
    let content = "";
    for (let index = 0; content.length < 3_800_000; index += 1) content += nearMatches[index % nearMatches.length];
    content = `${content.slice(0, 1_900_000)} ${email} ${content.slice(1_900_000)}`;
    server.upstream.hits.length = 0;
    const result = await post(JSON.stringify({ model: "remote-model", messages: [{ role: "user", content }] }));
    if (result.status === 200) {
      expect(server.upstream.hits).toHaveLength(1);
      expect(receivedText(server.upstream.hits[0]!)).not.toContain(email);
    } else {
      expect(result).toMatchObject({ status: 500, json: { error: { code: "guardrail_timeout" } } });
      expect(server.upstream.hits).toHaveLength(0);
    }
    await healthy();
  });

  it("a catastrophic-backtracking custom pattern runs in linear time (RE2)", async () => {
    const content = `${"a".repeat(200_000)}!`;
    const result = await post(JSON.stringify({ model: "remote-model", messages: [{ role: "user", content }] }));
    expect(result.status).toBe(200);
    await healthy();
  });

  it("deeply nested JSON in tool arguments and in the body, and invalid UTF-8, get clear errors or answers", async () => {
    const nested = `${"[".repeat(200_000)}"${email}"${"]".repeat(200_000)}`;
    server.upstream.hits.length = 0;
    const tool = await post(JSON.stringify({
      model: "remote-model",
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: "", tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: nested } }] },
        { role: "tool", tool_call_id: "c1", content: "ok" },
        { role: "user", content: "and?" },
      ],
    }));
    if (tool.status === 200) expect(receivedText(server.upstream.hits[0]!)).not.toContain(email);
    else expect(tool.status).toBe(400);
    const deepBody = `{"model":"remote-model","messages":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    expect((await post(deepBody)).status).toBe(400);
    const invalidUtf8 = new Blob([Buffer.from([...new TextEncoder().encode('{"model":"remote-model","messages":[{"role":"user","content":"'), 0xff, 0xfe, ...new TextEncoder().encode('"}]}')])]);
    const invalid = await post(invalidUtf8);
    expect(invalid.status).toBe(400);
    await healthy();
  });
});
