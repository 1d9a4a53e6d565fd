import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Locator, Page } from "@playwright/test";
import { chatModel, embeddingModel, expect, secondChatModel, test } from "./support/fixtures.js";

/** A ledger row as `GET /v1/admin/usage/records` shows it. */
type UsageRecordView = { id: string; model: string; status: string; input_tokens: number | null; output_tokens: number | null; cost: number; created_at: number };
type CitationView = { marker: number; knowledge_base: string; document_id: string; document: string; heading: string | null; start: number; end: number };

const completionsPattern = /\/v1\/chat\/completions/;
const isChatRequest = (request: { url(): string; method(): string }) => request.method() === "POST" && completionsPattern.test(request.url());

/**
 * A fake OpenAI-compatible upstream: model `…-broken` answers 500 with an error of its own, any other model streams a
 * markdown answer (a heading, bold text and a code block) in small pieces.
 */
async function startFakeUpstream(): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const markdown = ["# Tide report\n\n", "The sea is **calm** ", "today.\n\n", "```js\n", "const tide = \"low\";\n", "```\n"];
  const server = http.createServer((request, response) => {
    let text = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (text += chunk));
    request.on("end", () => {
      const body = JSON.parse(text || "{}") as { model?: string };
      if (body.model?.endsWith("-broken")) {
        response.writeHead(500, { "content-type": "application/json" });
        response.end(JSON.stringify({ error: { message: "fake upstream is down for maintenance", type: "server_error" } }));
        return;
      }
      response.writeHead(200, { "content-type": "text/event-stream" });
      const chunk = (delta: object, finish: string | null) => ({ id: "fake-1", object: "chat.completion.chunk", created: 1, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] });
      const events: object[] = [chunk({ role: "assistant", content: "" }, null), ...markdown.map((piece) => chunk({ content: piece }, null)), chunk({}, "stop")];
      events.push({ id: "fake-1", object: "chat.completion.chunk", created: 1, model: body.model, choices: [], usage: { prompt_tokens: 9, completion_tokens: 21, total_tokens: 30 } });
      let index = 0;
      const next = () => {
        if (index < events.length) {
          response.write(`data: ${JSON.stringify(events[index++])}\n\n`);
          setTimeout(next, 40);
        } else response.end("data: [DONE]\n\n");
      };
      next();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Picks `option` in the Mantine select labelled `label`. */
async function choose(page: Page, label: string, option: string) {
  const select = page.getByRole("combobox", { name: label, exact: true });
  await select.click();
  await page.getByRole("option", { name: option, exact: true }).click();
  await expect(select).toHaveValue(option);
}

/** The text of the code modal opened by `button` (inside `scope`, default the page), then the modal is closed. */
async function codeFromModal(page: Page, button: string, scope: Page | Locator = page): Promise<string> {
  await scope.getByRole("button", { name: button }).click();
  const code = page.getByTestId("request-code");
  await expect(code).toBeVisible();
  const text = (await code.textContent()) ?? "";
  await page.keyboard.press("Escape");
  await expect(code).toHaveCount(0);
  return text;
}

/** The JSON body of a `curl … -d '…'` command as the playground writes it. */
function curlBody(command: string): unknown {
  const start = command.indexOf("-d '") + 4;
  return JSON.parse(command.slice(start, command.lastIndexOf("'")).replaceAll("'\\''", "'"));
}

/** The chat completion's id (`chatcmpl-<ledger record id>`) and citations from a finished SSE response body. */
function firstChunk(body: string): { id: string; citations?: CitationView[] } {
  const line = body.split("\n").find((candidate) => candidate.startsWith("data: {"));
  return JSON.parse(line!.slice(6)) as { id: string; citations?: CitationView[] };
}

function dollars(value: number): string {
  return `$${value.toFixed(value !== 0 && Math.abs(value) < 0.01 ? 6 : 2)}`;
}

test("streams a growing answer and shows tokens and cost from the usage chunk as the ledger bills them", async ({ page, signIn, server, expectAccessible }) => {
  await server.request("PUT", `/v1/admin/prices/${chatModel}`, { input_per_million: 1000, output_per_million: 2000 });
  await signIn(undefined, "/console/playground");
  await expect(page.getByRole("heading", { name: "Playground", level: 1 })).toBeVisible();
  await choose(page, "Model", chatModel);
  await page.getByLabel("Max tokens").fill("120");
  // Every change of the conversation's text length, as the page renders it.
  await page.getByTestId("conversation").evaluate((element) => {
    const lengths: number[] = [];
    (window as unknown as { answerLengths: number[] }).answerLengths = lengths;
    new MutationObserver(() => {
      const answer = element.querySelector('[data-testid="streaming-answer"]');
      const length = answer?.textContent?.length ?? 0;
      if (length > 0 && lengths[lengths.length - 1] !== length) lengths.push(length);
    }).observe(element, { subtree: true, childList: true, characterData: true });
  });
  await page.getByLabel("Message").fill("Once upon a time");
  const responsePromise = page.waitForResponse((response) => isChatRequest(response.request()));
  await page.getByRole("button", { name: "Send", exact: true }).click();
  const answer = page.getByTestId("assistant-message");
  await expect(answer.getByTestId("usage")).toBeVisible();

  const lengths = await page.evaluate(() => (window as unknown as { answerLengths: number[] }).answerLengths);
  expect(lengths.length, `lengths seen: ${lengths.join(", ")}`).toBeGreaterThanOrEqual(3);
  for (let index = 1; index < lengths.length; index += 1) expect(lengths[index]).toBeGreaterThan(lengths[index - 1]!);

  const { id } = firstChunk(await (await responsePromise).text());
  const records = await server.request<{ data: UsageRecordView[] }>("GET", `/v1/admin/usage/records?model=${chatModel}&limit=1000`);
  const record = records.data.find((candidate) => `chatcmpl-${candidate.id}` === id)!;
  expect(record.status).toBe("ok");
  expect(record.output_tokens).toBe(120);
  await expect(answer.getByTestId("usage")).toContainText(`Tokens: ${record.input_tokens} prompt + ${record.output_tokens} completion = ${record.input_tokens! + record.output_tokens!}`);
  await expect(answer.getByTestId("usage-cost")).toHaveText(dollars(record.cost));
  await expect(page.getByTestId("conversation-totals")).toContainText(dollars(record.cost));
  await expectAccessible();
});

test("renders markdown and code from a streamed answer", async ({ page, signIn, server }) => {
  const upstream = await startFakeUpstream();
  const suffix = Date.now().toString(36);
  try {
    await server.request("POST", "/v1/admin/providers", { name: `markdown-${suffix}`, base_url: upstream.baseUrl, models: [`markdown-${suffix}`] });
    await signIn(undefined, "/console/playground");
    await choose(page, "Model", `markdown-${suffix} (markdown-${suffix})`);
    await page.getByLabel("Message").fill("How is the sea?");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    const answer = page.getByTestId("assistant-message");
    await expect(answer.getByRole("heading", { name: "Tide report" })).toBeVisible();
    await expect(answer.locator('[data-streamdown="strong"]')).toHaveText("calm");
    await expect(answer.locator("pre code")).toContainText('const tide = "low";');
    await expect(answer.getByRole("button", { name: "Copy Code" })).toBeVisible();
    await expect(answer.getByTestId("usage")).toContainText("Tokens: 9 prompt + 21 completion = 30");
  } finally {
    await server.request("DELETE", `/v1/admin/providers/markdown-${suffix}`).catch(() => undefined);
    await upstream.close();
  }
});

test("Stop aborts the stream: the server frees the sequence and the ledger records a cancelled, partly billed request", async ({ page, signIn, server, allowFailure }) => {
  allowFailure(completionsPattern);
  // Priced for this test only (other specs may count on tiny being free).
  await server.request("PUT", `/v1/admin/prices/${secondChatModel}`, { input_per_million: 1000, output_per_million: 2000 });
  try {
    await signIn(undefined, "/console/playground");
    await choose(page, "Model", secondChatModel);
    await page.getByLabel("Max tokens").fill("480");
    await page.getByLabel("Message").fill("Tell a very long story");
    const started = Math.floor(Date.now() / 1000);
    await page.getByRole("button", { name: "Send", exact: true }).click();
    const streaming = page.getByTestId("streaming-answer");
    await expect(streaming.getByTestId("stream-status")).toHaveText("Streaming…");
    await expect(streaming.locator(".playground-markdown")).not.toBeEmpty();
    await page.getByRole("button", { name: "Stop", exact: true }).click();
    const stopped = page.getByTestId("assistant-message");
    await expect(stopped.getByText("Stopped", { exact: true })).toBeVisible();
    await expect(stopped).toContainText("bills the tokens generated until then");

    await expect
      .poll(async () => {
        const runtime = await server.request<{ loaded: { name: string; active_sequences: number }[] }>("GET", "/v1/admin/runtime");
        return runtime.loaded.find((model) => model.name === secondChatModel)?.active_sequences;
      })
      .toBe(0);
    let record: UsageRecordView | undefined;
    await expect
      .poll(async () => {
        const records = await server.request<{ data: UsageRecordView[] }>("GET", `/v1/admin/usage/records?model=${secondChatModel}&since=${started}&limit=1000`);
        record = records.data.sort((left, right) => right.created_at - left.created_at)[0];
        return record?.status;
      })
      .toBe("cancelled");
    expect(record!.output_tokens).toBeGreaterThan(0);
    expect(record!.output_tokens).toBeLessThan(480);
    expect(record!.cost).toBeGreaterThan(0);
  } finally {
    await server.request("DELETE", `/v1/admin/prices/${secondChatModel}`);
  }
});

test("parameters reach the server exactly as set, empty ones are left out, and copy-as-curl/SDK reproduce the request", async ({ page, signIn, server }) => {
  await signIn(undefined, "/console/playground");
  await choose(page, "Model", chatModel);
  await page.getByLabel("Message").fill("Once upon a time");
  let requestPromise = page.waitForRequest(isChatRequest);
  await page.getByRole("button", { name: "Send", exact: true }).click();
  expect((await requestPromise).postDataJSON()).toEqual({
    model: chatModel,
    messages: [{ role: "user", content: "Once upon a time" }],
    stream: true,
    stream_options: { include_usage: true },
  });
  await expect(page.getByTestId("assistant-message")).toHaveCount(1);
  await page.getByRole("button", { name: "Clear conversation" }).click();

  const schema = { type: "object", properties: { title: { type: "string" } }, required: ["title"] };
  await page.getByLabel("System prompt").fill("You write tiny stories.");
  await page.getByLabel("Temperature").fill("0.7");
  await page.getByLabel("Top P").fill("0.9");
  await page.getByLabel("Max tokens").fill("12");
  await page.getByLabel("Seed").fill("42");
  await page.getByRole("combobox", { name: "Stop sequences" }).fill("The end");
  await page.getByRole("combobox", { name: "Stop sequences" }).press("Enter");
  await page.getByRole("combobox", { name: "Stop sequences" }).fill("Moral's");
  await page.getByRole("combobox", { name: "Stop sequences" }).press("Enter");
  await page.getByLabel("JSON schema").fill(JSON.stringify(schema));
  await page.getByLabel("Message").fill("A story about a cat's hat");
  requestPromise = page.waitForRequest(isChatRequest);
  await page.getByRole("button", { name: "Send", exact: true }).click();
  const sent = (await requestPromise).postDataJSON() as Record<string, unknown>;
  expect(sent).toEqual({
    model: chatModel,
    messages: [
      { role: "system", content: "You write tiny stories." },
      { role: "user", content: "A story about a cat's hat" },
    ],
    stream: true,
    stream_options: { include_usage: true },
    temperature: 0.7,
    top_p: 0.9,
    max_tokens: 12,
    stop: ["The end", "Moral's"],
    seed: 42,
    response_format: { type: "json_schema", json_schema: { name: "response", schema } },
  });
  await expect(page.getByTestId("assistant-message").getByTestId("usage")).toContainText("completion");

  const curl = await codeFromModal(page, "Copy as curl");
  expect(curl).toContain(`curl -N ${server.url}/v1/chat/completions`);
  expect(curl).toContain('-H "Authorization: Bearer $AIPLUS_API_KEY"');
  expect(curl).not.toContain(server.adminKey);
  expect(curlBody(curl)).toEqual(sent);

  const sdk = await codeFromModal(page, "Copy as OpenAI SDK code");
  expect(sdk).toContain(`baseURL: "${server.url}/v1"`);
  expect(sdk).toContain("apiKey: process.env.AIPLUS_API_KEY");
  expect(sdk).not.toContain(server.adminKey);
  const literal = sdk.slice(sdk.indexOf("completions.create(") + "completions.create(".length, sdk.indexOf(");\n\nfor await"));
  expect(JSON.parse(literal)).toEqual(sent);
});

test("bad tools JSON shows a clear error and sends nothing; valid tools are sent as written", async ({ page, signIn }) => {
  await signIn(undefined, "/console/playground");
  // stories260K's tokenizer makes tool instructions longer than the tests' 512-token context: tiny's does not.
  await choose(page, "Model", secondChatModel);
  const sentBodies: unknown[] = [];
  page.on("request", (request) => {
    if (isChatRequest(request)) sentBodies.push(request.postDataJSON());
  });
  await page.getByLabel("Message").fill("Once upon a time");

  await page.getByLabel("Tools").fill('[{"type": "function", "function": {"name": "count"}');
  await page.getByRole("button", { name: "Send", exact: true }).click();
  const alert = page.getByRole("alert").filter({ hasText: "Nothing was sent" });
  await expect(alert).toContainText("Tools is not valid JSON");
  await expect(page.getByText(/Tools is not valid JSON/).first()).toBeVisible();

  await page.getByLabel("Tools").fill('[{"type": "function", "function": {"description": "no name"}}]');
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Nothing was sent" })).toContainText('Tool 1 needs "function.name"');
  await page.getByLabel("JSON schema").fill("[1, 2]");
  await page.getByLabel("Tools").fill('{"type": "function"}');
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Nothing was sent" })).toContainText("Tools must be a JSON array");
  await expect(page.getByRole("alert").filter({ hasText: "Nothing was sent" })).toContainText("The JSON schema must be a JSON object");
  // The message stays for another try, and nothing reached the server.
  await expect(page.getByLabel("Message")).toHaveValue("Once upon a time");
  expect(sentBodies).toEqual([]);

  const tools = [{ type: "function", function: { name: "count_apples", description: "Counts apples", parameters: { type: "object", properties: { count: { type: "integer" } }, required: ["count"] } } }];
  await page.getByLabel("JSON schema").fill("");
  await page.getByLabel("Tools").fill(JSON.stringify(tools, null, 2));
  await page.getByLabel("Max tokens").fill("16");
  await expect(page.getByRole("alert").filter({ hasText: "Nothing was sent" })).toHaveCount(0);
  const requestPromise = page.waitForRequest(isChatRequest);
  await page.getByRole("button", { name: "Send", exact: true }).click();
  expect(((await requestPromise).postDataJSON() as { tools: unknown }).tools).toEqual(tools);
  await expect(page.getByTestId("assistant-message")).toHaveCount(1);
  expect(sentBodies).toHaveLength(1);
});

test("compare streams several models side by side; a failing upstream's pane shows its error while the others complete", async ({ page, signIn, server, allowFailure, expectAccessible }) => {
  // The failing model's request is answered 502 on purpose.
  allowFailure(completionsPattern);
  const upstream = await startFakeUpstream();
  const suffix = Date.now().toString(36);
  try {
    const broken = `upstream-${suffix}-broken`;
    await server.request("POST", "/v1/admin/providers", { name: `down-${suffix}`, base_url: upstream.baseUrl, models: [broken] });
    await signIn(undefined, "/console/playground?mode=compare");
    await expect(page.getByRole("region", { name: "Pane 2" })).toBeVisible();
    await page.getByRole("button", { name: "Add model" }).click();
    await choose(page, "Model 1", chatModel);
    await choose(page, "Model 2", `${broken} (down-${suffix})`);
    await choose(page, "Model 3", secondChatModel);
    await page.getByLabel("Max tokens").fill("24");
    await page.getByRole("textbox", { name: "Prompt", exact: true }).fill("Once upon a time");
    const models: string[] = [];
    page.on("request", (request) => {
      if (isChatRequest(request)) models.push((request.postDataJSON() as { model: string }).model);
    });
    await page.getByRole("button", { name: "Send to all" }).click();

    const failed = page.getByRole("region", { name: "Pane 2" });
    await expect(failed.getByRole("alert")).toContainText("The request failed");
    // The upstream's own error text reaches the pane.
    await expect(failed.getByRole("alert")).toContainText("fake upstream is down for maintenance");
    await expect(failed.getByTestId("stream-status")).toHaveText("Failed");
    for (const pane of ["Pane 1", "Pane 3"]) {
      const region = page.getByRole("region", { name: pane });
      await expect(region.getByTestId("stream-status")).toHaveText("Done");
      await expect(region.getByTestId("usage")).toContainText("completion = ");
      await expect(region.getByRole("alert")).toHaveCount(0);
    }
    expect(models.sort()).toEqual([broken, chatModel, secondChatModel].sort());
    await expectAccessible();

    // Each pane copies its own exact request.
    const curl = await codeFromModal(page, "Copy as curl", page.getByRole("region", { name: "Pane 3" }));
    expect(curlBody(curl)).toMatchObject({ model: secondChatModel, max_tokens: 24, messages: [{ role: "user", content: "Once upon a time" }] });
  } finally {
    await server.request("DELETE", `/v1/admin/providers/down-${suffix}`).catch(() => undefined);
    await upstream.close();
  }
});

test("numbered citations open the cited document and passage", async ({ page, signIn, server, expectAccessible }) => {
  const knowledgeBase = `play-kb-${Date.now().toString(36)}`;
  // Short: the grounded prompt (rules, passages, question) must fit the tests' 512-token context in stories' tokens.
  const policy = "# Parking\n\nEmployees park in the north garage. Parking permits are issued by the facilities desk.";
  await server.request("POST", "/v1/knowledge-bases", { name: knowledgeBase, embedding_model: embeddingModel });
  const job = await server.request<{ id: string }>("POST", `/v1/knowledge-bases/${knowledgeBase}/documents`, { documents: [{ name: "parking.md", text: policy }] });
  await expect
    .poll(async () => (await server.request<{ status: string }>("GET", `/v1/knowledge-bases/${knowledgeBase}/jobs/${job.id}`)).status)
    .toBe("completed");

  await signIn(undefined, "/console/playground");
  await choose(page, "Model", chatModel);
  await page.getByRole("combobox", { name: "Knowledge bases" }).click();
  await page.getByRole("option", { name: new RegExp(`^${knowledgeBase} `) }).click();
  await page.keyboard.press("Escape");
  await page.getByLabel("Max tokens").fill("16");
  await page.getByLabel("Message").fill("Where do employees park and who issues parking permits?");
  const responsePromise = page.waitForResponse((response) => isChatRequest(response.request()));
  await page.getByRole("button", { name: "Send", exact: true }).click();
  const response = await responsePromise;
  expect((response.request().postDataJSON() as { knowledge_bases: string[] }).knowledge_bases).toEqual([knowledgeBase]);
  const citations = firstChunk(await response.text()).citations!;
  expect(citations.length).toBeGreaterThan(0);
  const first = citations[0]!;

  const sources = page.getByTestId("assistant-message").getByRole("navigation", { name: "Sources" });
  await expect(sources.getByRole("button")).toHaveCount(citations.length);
  await sources.getByRole("button", { name: new RegExp(`^\\[1\\] ${first.document}`) }).click();
  const drawer = page.getByRole("dialog", { name: `Source [1]: ${first.document}` });
  await expect(drawer.getByTestId("citation-document")).toHaveText("parking.md");
  if (first.heading) await expect(drawer.getByTestId("citation-heading")).toHaveText(first.heading);
  await expect(drawer.getByTestId("citation-passage")).toBeVisible();
  // The whole passage (the document's parsed text between the citation's offsets), as the document API gives it.
  const shown = await server.request<{ passage: { text: string } }>(
    "GET",
    `/v1/knowledge-bases/${knowledgeBase}/documents/${encodeURIComponent(first.document_id)}?passage_start=${first.start}&passage_end=${first.end}`,
  );
  expect(shown.passage.text).toContain("Parking permits are issued by the facilities desk");
  expect(await drawer.getByTestId("citation-passage").textContent()).toBe(shown.passage.text);
  await expectAccessible();
  await server.request("DELETE", `/v1/knowledge-bases/${knowledgeBase}`);
});

test("a user key sees only its allowed chat models, and embedders are never offered for chat", async ({ page, signIn, server, expectAccessible }) => {
  await signIn(undefined, "/console/playground");
  await page.getByRole("combobox", { name: "Model", exact: true }).click();
  const adminOptions = await page.getByRole("option").allTextContents();
  expect(adminOptions).toEqual(expect.arrayContaining([chatModel, secondChatModel]));
  expect(adminOptions).not.toContain(embeddingModel);
  await page.keyboard.press("Escape");
  await page.getByRole("button", { name: "Sign out" }).click();

  const key = await server.request<{ key: string }>("POST", "/v1/admin/keys", { name: `play-user-${Date.now()}`, models: [chatModel] });
  await signIn(key.key, "/console/playground");
  await expect(page.getByRole("navigation", { name: "Console sections" }).getByRole("link", { name: "Playground" })).toBeVisible();
  await page.getByRole("combobox", { name: "Model", exact: true }).click();
  await expect(page.getByRole("option")).toHaveText([chatModel]);
  await page.keyboard.press("Escape");
  await page.getByLabel("Message").fill("Once upon a time");
  await page.getByLabel("Max tokens").fill("8");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(page.getByTestId("assistant-message").getByTestId("usage")).toContainText("8 completion");
  await expectAccessible();
});

test("the playground stays accessible in the dark theme, on a phone, and with its dialogs open", async ({ page, signIn, expectAccessible }) => {
  await signIn(undefined, "/console/playground");
  await choose(page, "Model", chatModel);
  await page.getByLabel("Max tokens").fill("8");
  await page.getByLabel("Message").fill("Once upon a time");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(page.getByTestId("assistant-message").getByTestId("usage")).toBeVisible();
  await page.getByRole("button", { name: "Switch to the dark theme" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-mantine-color-scheme", "dark");
  await expectAccessible();
  await page.getByRole("button", { name: "Copy as curl" }).click();
  await expect(page.getByTestId("request-code")).toBeVisible();
  await expectAccessible();
  await page.keyboard.press("Escape");
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByRole("button", { name: "Send", exact: true })).toBeVisible();
  await page.getByText("Compare models", { exact: true }).click();
  await expect(page.getByRole("region", { name: "Pane 1" })).toBeVisible();
  await expectAccessible();
});
