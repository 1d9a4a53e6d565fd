import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPiiScanner, type PiiScanner, type ScannerOptions } from "../../src/guardrails/index.js";
import { lastUserMessage, receivedText, respondWith, startGuardrailServer, type GuardrailServer } from "./guardrail-server.js";

// The vertical slice: policy `pii: mask` on chat completions to an upstream, streaming and not, audited, failing closed.

/** One value of each entity type the detectors know, in a sentence. */
const values = {
  EMAIL_ADDRESS: "alice.smith@example.com",
  PHONE_NUMBER: "+1 415 555 2671",
  CREDIT_CARD: "4111 1111 1111 1111",
  IBAN_CODE: "DE89 3704 0044 0532 0130 00",
  IP_ADDRESS: "10.1.2.3",
  US_SSN: "123-45-6789",
  SECRET: "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD",
} as const;
const message = `Mail ${values.EMAIL_ADDRESS} or call ${values.PHONE_NUMBER}; card ${values.CREDIT_CARD}, IBAN ${values.IBAN_CODE}, host ${values.IP_ADDRESS}, SSN ${values.US_SSN}, key ${values.SECRET}.`;

/** Real detectors; a text containing FAULT_INPUT or FAULT_OUTPUT makes them throw (a detector fault). */
function faultyScanner(options: ScannerOptions): PiiScanner {
  const real = createPiiScanner(options);
  return {
    maxDetectionLength: real.maxDetectionLength,
    scan(text) {
      if (text.includes("FAULT_INPUT") || text.includes("FAULT_OUTPUT")) throw new Error("detector crashed");
      return real.scan(text);
    },
  };
}

let server: GuardrailServer;

beforeAll(async () => {
  server = await startGuardrailServer({ createGuardrailScanner: faultyScanner });
  await server.setPolicy("default", "pii: mask\n");
});

afterAll(async () => {
  await server?.close();
});

async function readSse(response: Response): Promise<{ events: string[]; done: boolean }> {
  const text = await response.text();
  const events = text.split("\n\n").filter((frame) => frame.startsWith("data: ")).map((frame) => frame.slice(6));
  return { events: events.filter((event) => event !== "[DONE]"), done: events.includes("[DONE]") };
}

describe("guardrails on chat completions (policy `pii: mask`)", () => {
  it("the upstream never sees a raw value of any entity type; the caller gets the answer unmasked (non-streamed)", async () => {
    server.upstream.reset();
    server.upstream.script(respondWith(server.upstream, (hit) => `You said: ${lastUserMessage(hit)}`));
    const completion = await server.admin.chat.completions.create({ model: "remote-model", messages: [{ role: "user", content: message }] });
    expect(completion.choices[0]!.message.content).toBe(`You said: ${message}`);
    expect(server.upstream.hits).toHaveLength(1);
    const sent = receivedText(server.upstream.hits[0]!);
    for (const value of Object.values(values)) expect(sent).not.toContain(value);
    for (const placeholder of ["[EMAIL_1]", "[PHONE_1]", "[CARD_1]", "[IBAN_1]", "[IP_1]", "[SSN_1]", "[SECRET_1]"]) expect(sent).toContain(placeholder);
  });

  it("streams the unmasked answer however the upstream chunks it, and the same value keeps its placeholder", async () => {
    server.upstream.reset();
    const chunkings: Array<(text: string) => string[]> = [(text) => [...text], (text) => text.match(/[\s\S]{1,7}/g) ?? [], (text) => [text]];
    for (const chunks of chunkings) {
      server.upstream.script(respondWith(server.upstream, (hit) => `Again: ${lastUserMessage(hit)} / ${lastUserMessage(hit)}`, chunks));
      const conversation = [
        { role: "user" as const, content: `first ${values.EMAIL_ADDRESS}` },
        { role: "assistant" as const, content: "noted" },
        { role: "user" as const, content: `again ${values.EMAIL_ADDRESS} and ${values.PHONE_NUMBER}` },
      ];
      const stream = await server.admin.chat.completions.create({ model: "remote-model", messages: conversation, stream: true });
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      const last = `again ${values.EMAIL_ADDRESS} and ${values.PHONE_NUMBER}`;
      expect(text).toBe(`Again: ${last} / ${last}`);
      const sent = server.upstream.hits.at(-1)!.body.messages as Array<{ content: string }>;
      expect(sent[0]!.content).toBe("first [EMAIL_1]");
      expect(sent[2]!.content).toBe("again [EMAIL_1] and [PHONE_1]");
    }
  });

  it("tool-call arguments the model writes with placeholders reach the caller unmasked (streamed deltas and whole)", async () => {
    const toolCallReply = (response: import("node:http").ServerResponse) => {
      const args = JSON.stringify({ to: "[EMAIL_1]", note: 'say "hi" to [PHONE_1]' });
      const frames = [
        { id: "c", object: "chat.completion.chunk", model: "remote-model", choices: [{ index: 0, delta: { role: "assistant", tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "send_mail", arguments: args.slice(0, 9) } }] }, finish_reason: null }] },
        { id: "c", object: "chat.completion.chunk", model: "remote-model", choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: args.slice(9) } }] }, finish_reason: null }] },
        { id: "c", object: "chat.completion.chunk", model: "remote-model", choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] },
      ];
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.end(frames.map((frame) => `data: ${JSON.stringify(frame)}\n\n`).join("") + "data: [DONE]\n\n");
    };
    const request = {
      model: "remote-model",
      messages: [{ role: "user" as const, content: `Mail ${values.EMAIL_ADDRESS} and text ${values.PHONE_NUMBER}` }],
      tools: [{ type: "function" as const, function: { name: "send_mail", parameters: { type: "object", properties: { to: { type: "string" }, note: { type: "string" } } } } }],
    };
    const expected = { to: values.EMAIL_ADDRESS, note: `say "hi" to ${values.PHONE_NUMBER}` };
    server.upstream.reset();
    server.upstream.script(toolCallReply, toolCallReply);
    const whole = await server.admin.chat.completions.create(request);
    const call = whole.choices[0]!.message.tool_calls![0]! as { function: { arguments: string } };
    expect(JSON.parse(call.function.arguments)).toEqual(expected);
    const stream = await server.admin.chat.completions.create({ ...request, stream: true });
    let streamed = "";
    for await (const chunk of stream) for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) streamed += delta.function?.arguments ?? "";
    expect(JSON.parse(streamed)).toEqual(expected);
    for (const hit of server.upstream.hits) expect(receivedText(hit)).not.toContain(values.EMAIL_ADDRESS);
  });

  it("log-probabilities follow the unmasked text: tokens of a placeholder become the value (streamed and not)", async () => {
    const tokens = ["Write", " to", " [", "EMAIL", "_1", "]", " now", "."];
    const withLogprobs = (response: import("node:http").ServerResponse) => {
      const frames = tokens.map((token) => ({
        id: "c", object: "chat.completion.chunk", model: "remote-model",
        choices: [{ index: 0, delta: { content: token }, logprobs: { content: [{ token, logprob: -0.25, top_logprobs: [{ token, logprob: -0.25 }] }] }, finish_reason: null }],
      }));
      frames.push({ id: "c", object: "chat.completion.chunk", model: "remote-model", choices: [{ index: 0, delta: {}, logprobs: null as never, finish_reason: "stop" }] } as never);
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.end(frames.map((frame) => `data: ${JSON.stringify(frame)}\n\n`).join("") + "data: [DONE]\n\n");
    };
    const request = { model: "remote-model", logprobs: true, top_logprobs: 1, messages: [{ role: "user" as const, content: `to ${values.EMAIL_ADDRESS}` }] };
    server.upstream.reset();
    server.upstream.script(withLogprobs, withLogprobs);
    const whole = await server.admin.chat.completions.create(request);
    const expected = `Write to ${values.EMAIL_ADDRESS} now.`;
    expect(whole.choices[0]!.message.content).toBe(expected);
    const content = whole.choices[0]!.logprobs!.content!;
    expect(content.map((entry) => entry.token).join("")).toBe(expected);
    expect(content.find((entry) => entry.token.includes(values.EMAIL_ADDRESS))!.top_logprobs).toEqual([]);
    const stream = await server.admin.chat.completions.create({ ...request, stream: true });
    let text = "";
    let logprobText = "";
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      logprobText += (chunk.choices[0]?.logprobs?.content ?? []).map((entry) => entry.token).join("");
    }
    expect(text).toBe(expected);
    expect(logprobText).toBe(expected);
  });

  it("writes every decision to the audit log with an HMAC of the value, never the value", async () => {
    const page = await server.admin.get<{ data: Array<Record<string, unknown>> }>("/admin/audit?kind=guardrail&limit=1000");
    const rules = new Set(page.data.map((entry) => entry.rule));
    for (const type of Object.keys(values)) expect(rules).toContain(`pii.${type}`);
    const email = page.data.find((entry) => entry.rule === "pii.EMAIL_ADDRESS")!;
    expect(email).toMatchObject({ action: "mask", route: "upstream", policy: "default@1", endpoint: "chat.completions", model: "remote-model", entity_type: "EMAIL_ADDRESS" });
    expect(email.value_hmac).toMatch(/^[0-9a-f]{64}$/);
    expect(email.positions).toEqual(expect.arrayContaining([expect.objectContaining({ location: expect.stringMatching(/^messages\[\d\]\.content$/) })]));
    const everything = JSON.stringify(page.data);
    for (const value of Object.values(values)) expect(everything).not.toContain(value);
    const admin = await server.admin.get<{ data: Array<Record<string, unknown>> }>("/admin/audit?kind=admin");
    expect(admin.data.map((entry) => entry.rule)).toEqual(expect.arrayContaining(["policies.set", "providers.create"]));
  });

  it("another key never gets a value unmasked: its vault is its own", async () => {
    const other = await server.createKey({ name: "other" });
    server.upstream.reset();
    // The upstream answers with the placeholder the admin's requests were given.
    server.upstream.script(respondWith(server.upstream, () => "Here: [EMAIL_1] and [PHONE_1]"));
    const completion = await server.client(other.key).chat.completions.create({ model: "remote-model", messages: [{ role: "user", content: "What was the address?" }] });
    expect(completion.choices[0]!.message.content).toBe("Here: [EMAIL_1] and [PHONE_1]");
    // A placeholder the model invents is left alone for the caller too.
    server.upstream.script(respondWith(server.upstream, () => "Mine: [EMAIL_1], invented: [EMAIL_7]"));
    const own = await server.admin.chat.completions.create({ model: "remote-model", messages: [{ role: "user", content: `to ${values.EMAIL_ADDRESS}` }] });
    expect(own.choices[0]!.message.content).toBe(`Mine: ${values.EMAIL_ADDRESS}, invented: [EMAIL_7]`);
  });

  it("a detector fault refuses the request before any upstream call (non-streamed and streamed)", async () => {
    server.upstream.reset();
    server.upstream.script(respondWith(server.upstream, () => "never"));
    const failure = await server.admin.chat.completions.create({ model: "remote-model", messages: [{ role: "user", content: "FAULT_INPUT please" }] }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ status: 500, error: { code: "guardrail_detector_failed", type: "server_error" } });
    const streamed = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.adminKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "remote-model", stream: true, messages: [{ role: "user", content: "FAULT_INPUT" }] }),
    });
    expect(streamed.status).toBe(500);
    expect(server.upstream.hits).toHaveLength(0);
  });

  it("a blocking rule answers 400 content_filter naming the rule, never the value, with no upstream call", async () => {
    const { key } = await server.createKey({ name: "cards-blocked", policy: await server.setPolicy("no-cards", { pii: { CREDIT_CARD: "block" } }).then(() => "no-cards") });
    server.upstream.reset();
    const failure = await server.client(key).chat.completions.create({ model: "remote-model", messages: [{ role: "user", content: `pay with ${values.CREDIT_CARD}` }] }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ status: 400, error: { type: "content_filter", code: "pii_credit_card" } });
    expect(JSON.stringify((failure as { error: unknown }).error)).not.toContain(values.CREDIT_CARD);
    expect(server.upstream.hits).toHaveLength(0);
    const page = await server.admin.get<{ data: Array<Record<string, unknown>> }>("/admin/audit?kind=guardrail&limit=5");
    expect(page.data[0]).toMatchObject({ rule: "pii.CREDIT_CARD", action: "block", policy: "default@1+no-cards@1" });
  });

  it("a detector fault mid-stream ends the stream with an error event and no [DONE]", async () => {
    await server.setPolicy("output-scan", { pii: "mask", output: "redact" });
    const { key } = await server.createKey({ name: "output-scan", policy: "output-scan" });
    server.upstream.reset();
    server.upstream.script(respondWith(server.upstream, () => `${"fine text ".repeat(3)}FAULT_OUTPUT`, (text) => text.match(/[\s\S]{1,4}/g) ?? []));
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "remote-model", stream: true, messages: [{ role: "user", content: "hello" }] }),
    });
    expect(response.status).toBe(200);
    const { events, done } = await readSse(response);
    expect(done).toBe(false);
    const last = JSON.parse(events.at(-1)!) as { error?: { code: string } };
    expect(last.error?.code).toBe("guardrail_failed");
    expect(events.join("")).not.toContain("FAULT_OUTPUT");
  });

  it("output detectors redact values the model produced itself (streamed), audited as output decisions", async () => {
    const { key } = await server.createKey({ name: "output-redact", policy: "output-scan" });
    server.upstream.reset();
    server.upstream.script(respondWith(server.upstream, () => `Contact bob.jones@example.org for help.`, (text) => [...text]));
    const stream = await server.client(key).chat.completions.create({ model: "remote-model", messages: [{ role: "user", content: "who?" }], stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("Contact [REDACTED_EMAIL] for help.");
    const page = await server.admin.get<{ data: Array<Record<string, unknown>> }>("/admin/audit?kind=guardrail&limit=5");
    expect(page.data[0]).toMatchObject({ rule: "output.EMAIL_ADDRESS", action: "redact", positions: [{ location: "output", start: 8, end: 29 }] });
  });
});
