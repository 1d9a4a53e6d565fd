import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures.js";

const goodKey = "sk-e2e-upstream-secret-key-7f3a9c";
const wrongKey = "sk-e2e-wrong-key-typed-in-0000";

/**
 * A fake OpenAI-compatible upstream: `/v1` answers with a good key (models `alpha` and `beta`; chat models whose name
 * starts with `flaky` fail with 503), a wrong key gets its own 401 text, and everything under `/down/v1` is in maintenance.
 */
const upstream = http.createServer((request, response) => {
  let body = "";
  request.setEncoding("utf8");
  request.on("data", (chunk: string) => (body += chunk));
  request.on("end", () => {
    const json = (status: number, value: unknown) => response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
    const url = request.url ?? "/";
    if (url.startsWith("/down/")) {
      json(503, { error: { message: "scheduled maintenance until 14:00 UTC (fake upstream)", type: "server_error" } });
      return;
    }
    if (request.headers.authorization !== `Bearer ${goodKey}`) {
      json(401, { error: { message: "Invalid API key: the fake upstream does not know this key (code FAKE-401)", type: "invalid_request_error", code: "invalid_api_key" } });
      return;
    }
    if (request.method === "GET" && url === "/v1/models") {
      json(200, { object: "list", data: [{ id: "alpha", object: "model" }, { id: "beta", object: "model" }] });
      return;
    }
    if (request.method === "POST" && url === "/v1/chat/completions") {
      const { model } = JSON.parse(body) as { model: string };
      if (model.startsWith("flaky")) {
        json(503, { error: { message: "fake upstream overloaded: queue full", type: "server_error" } });
        return;
      }
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write(`data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model, choices: [{ index: 0, delta: { role: "assistant", content: "OK" }, finish_reason: null }] })}\n\n`);
      response.write(`data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model, choices: [{ index: 0, delta: {}, finish_reason: "stop" }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } })}\n\n`);
      response.end("data: [DONE]\n\n");
      return;
    }
    json(404, { error: { message: `no route ${url}` } });
  });
});

let upstreamUrl: string;
test.beforeAll(async () => {
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
test.afterAll(async () => new Promise<void>((resolve) => upstream.close(() => resolve())));

const stamp = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

async function settledDialog(page: Page, name: string) {
  const dialog = page.getByRole("dialog", { name });
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveCSS("opacity", "1");
  return dialog;
}

async function openProviders(page: Page) {
  await page.getByRole("navigation", { name: "Console sections" }).getByRole("link", { name: "Providers" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Providers" })).toBeVisible();
  await page.mouse.move(0, 0);
}

/** Every response body the page receives, to check that no secret is ever in one. */
function recordResponses(page: Page): () => Promise<string[]> {
  const bodies: Array<Promise<string>> = [];
  page.on("response", (response) => bodies.push(response.text().catch(() => "")));
  return () => Promise.all(bodies);
}

test("adds a provider with several models, tests it (the upstream's own error text shows), edits and deletes it; the key never comes back", async ({ page, signIn, server, expectAccessible }) => {
  const name = `upstream-${stamp()}`;
  const responses = recordResponses(page);
  await signIn();
  await openProviders(page);
  await expectAccessible();

  await page.getByRole("button", { name: "Add provider" }).click();
  const add = await settledDialog(page, "Add a provider");
  await add.getByLabel("Name").fill(name);
  await add.getByLabel("Base URL").fill("not a url");
  await add.getByLabel("API key").fill(goodKey);
  await add.getByRole("combobox", { name: "Models" }).pressSequentially("alpha, beta, gamma,");
  await expect(add.getByText("gamma", { exact: true })).toBeVisible();
  await add.getByRole("button", { name: "Add provider" }).click();
  await expect(add.getByRole("alert")).toContainText("base_url must be an http(s) URL such as http://127.0.0.1:8000/v1 (base_url)");

  await add.getByLabel("Base URL").fill(`${upstreamUrl}/v1`);
  await add.getByRole("button", { name: "Test connection" }).click();
  const tested = add.getByTestId("connection-test");
  await expect(tested).toContainText("Connected");
  await expect(tested).toContainText("It offers: alpha, beta.");
  await expect(tested).toContainText("Not offered by it: gamma.");
  await expectAccessible();
  await add.getByRole("button", { name: "Add provider" }).click();
  await expect(add).toBeHidden();

  const row = page.getByTestId(`provider-row-${name}`);
  await expect(row.getByRole("cell").nth(1)).toHaveText("alphabetagamma");
  await expect(row.getByRole("cell").nth(2)).toHaveText("Saved (sk-…3a9c)");
  await expect(row.getByTestId("provider-circuit")).toHaveText("Closed (healthy)");
  await expect(row.getByTestId("provider-latency")).toHaveText("No calls yet");
  await expect(row.getByTestId("provider-in-flight")).toHaveText("0");
  await expect(row.getByTestId("provider-health-check")).toHaveText("Not checked (health checks off)");
  const saved = await server.request<{ models: string[]; has_api_key: boolean }>("GET", `/v1/admin/providers/${name}`);
  expect(saved).toMatchObject({ models: ["alpha", "beta", "gamma"], has_api_key: true });

  // Editing: a wrong key typed into the form is tested before saving; the upstream's own words come back.
  await page.getByRole("button", { name: `Edit ${name}` }).click();
  const edit = await settledDialog(page, `Edit provider ${name}`);
  await expect(edit.getByText("Saved key sk-…3a9c: leave empty to keep it.")).toBeVisible();
  await edit.getByLabel("API key").fill(wrongKey);
  await edit.getByRole("button", { name: "Test connection" }).click();
  await expect(edit.getByTestId("connection-test")).toContainText("Connection failed (HTTP 401)");
  await expect(edit.getByTestId("connection-test")).toContainText("Invalid API key: the fake upstream does not know this key (code FAKE-401)");
  await expectAccessible();
  await edit.getByLabel("API key").fill("");
  await edit.getByRole("combobox", { name: "Models" }).pressSequentially("delta,");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit).toBeHidden();
  await expect(row.getByRole("cell").nth(1)).toHaveText("alphabetagammadelta");
  expect((await server.request<{ has_api_key: boolean }>("GET", `/v1/admin/providers/${name}`)).has_api_key).toBe(true);

  // A provider whose upstream is down: the row's test shows its status and its own error text.
  const down = `down-${stamp()}`;
  await server.request("POST", "/v1/admin/providers", { name: down, base_url: `${upstreamUrl}/down/v1`, api_key: goodKey, models: [`down-model-${stamp()}`] });
  await page.reload();
  await page.getByRole("button", { name: `Test connection of ${down}` }).click();
  const result = await settledDialog(page, `Connection test: ${down}`);
  await expect(result.getByTestId("connection-test")).toContainText("Connection failed (HTTP 503)");
  await expect(result.getByTestId("connection-test")).toContainText("scheduled maintenance until 14:00 UTC (fake upstream)");
  await page.keyboard.press("Escape");

  await page.getByRole("button", { name: `Delete ${name}` }).click();
  const confirm = await settledDialog(page, `Delete provider ${name}?`);
  await expectAccessible();
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(row).toHaveCount(1);
  await page.getByRole("button", { name: `Delete ${name}` }).click();
  await (await settledDialog(page, `Delete provider ${name}?`)).getByRole("button", { name: "Delete" }).click();
  await expect(row).toHaveCount(0);
  await expect(server.request("GET", `/v1/admin/providers/${name}`)).rejects.toThrow(/404/);

  const bodies = await responses();
  expect(bodies.length).toBeGreaterThan(5);
  for (const body of bodies) {
    expect(body).not.toContain(goodKey);
    expect(body).not.toContain(wrongKey);
  }
});

test("shows each provider's circuit-breaker state with its time and its recent latency", async ({ page, signIn, server, expectAccessible }) => {
  const name = `breaker-${stamp()}`;
  const healthy = `ok-${stamp()}`;
  const flaky = `flaky-${stamp()}`;
  await server.request("POST", "/v1/admin/providers", { name, base_url: `${upstreamUrl}/v1`, api_key: goodKey, models: [healthy, flaky] });
  for (let index = 0; index < 2; index += 1) {
    await server.request("POST", "/v1/chat/completions", { model: healthy, messages: [{ role: "user", content: "hi" }], max_tokens: 1 });
  }
  // Each call tries the route 3 times (2 retries); 5 failures in a row open its circuit.
  for (let index = 0; index < 2; index += 1) {
    await expect(server.request("POST", "/v1/chat/completions", { model: flaky, messages: [{ role: "user", content: "hi" }], max_tokens: 1 })).rejects.toThrow(/50[23]/);
  }
  const provider = await server.request<{ circuit: { state: string; open_until_at: number } }>("GET", `/v1/admin/providers/${name}`);
  expect(provider.circuit.state).toBe("open");

  await signIn();
  await openProviders(page);
  const row = page.getByTestId(`provider-row-${name}`);
  const until = await page.evaluate((seconds) => new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" }).format(new Date(seconds * 1000)), provider.circuit.open_until_at);
  await expect(row.getByTestId("provider-circuit")).toHaveText(`Open until ${until}`);
  await expect(row.getByRole("cell").nth(1)).toHaveText(`${healthy}${flaky} (open until ${until})`);
  await expect(row.getByTestId("provider-latency")).toHaveText(/^\d[\d,]* ms average of 2 \(last \d[\d,]* ms at .+\)$/);
  await expectAccessible();
});

test("a user key sees no Providers entry and the page says it needs an admin key", async ({ page, signIn, server, expectAccessible }) => {
  const user = await server.request<{ key: string }>("POST", "/v1/admin/keys", { name: `providers-user-${stamp()}` });
  await signIn(user.key);
  await expect(page.getByRole("navigation", { name: "Console sections" }).getByRole("link", { name: "Providers" })).toHaveCount(0);
  await page.goto("/console/providers");
  await expect(page.getByRole("heading", { level: 1, name: "Providers" })).toBeVisible();
  await expect(page.getByText("This page is for admin keys.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Add provider" })).toHaveCount(0);
  await expectAccessible();
});

test("works on a phone-sized screen and in the dark theme", async ({ page, signIn, server, expectAccessible }) => {
  const name = `phone-${stamp()}`;
  await server.request("POST", "/v1/admin/providers", { name, base_url: `${upstreamUrl}/v1`, api_key: goodKey, models: [`phone-model-${stamp()}`] });
  await signIn();
  await openProviders(page);
  await page.getByRole("button", { name: "Switch to the dark theme" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-mantine-color-scheme", "dark");
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByTestId(`provider-row-${name}`)).toBeVisible();
  await expectAccessible();
  await page.getByRole("button", { name: "Add provider" }).click();
  await settledDialog(page, "Add a provider");
  await expectAccessible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
