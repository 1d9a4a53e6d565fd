import { chatModel, expect, test } from "./support/fixtures.js";

test("signs in with a key, keeps it out of browser storage, and signs out server-side", async ({ page, signIn, server, expectAccessible }) => {
  await page.goto("/console/");
  await expect(page.getByRole("heading", { name: "Sign in to aiplus" })).toBeVisible();
  await expectAccessible();

  await page.getByLabel("API key").fill("aip_wrong_key");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("Sign-in failed");

  await signIn();
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  const stored = await page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie }));
  expect(stored).not.toContain(server.adminKey);
  expect(stored).not.toContain("aiplus_session");
  const cookies = await page.context().cookies();
  const session = cookies.find((cookie) => cookie.name === "aiplus_session");
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe("Strict");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to aiplus" })).toBeVisible();
  // The old cookie no longer works on the server.
  const replay = await fetch(new URL("/v1/me", server.url), { headers: { cookie: `aiplus_session=${session?.value}` } });
  expect(replay.status).toBe(401);
});

test("a deep link reloads into its page after sign-in, and an unknown page says so", async ({ page, signIn }) => {
  await signIn(undefined, "/console/no-such-page");
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
});

test("the dashboard shows today's requests, tokens and cost as the ledger counts them", async ({ page, signIn, server, expectAccessible }) => {
  const key = await server.request<{ key: string; id: string }>("POST", "/v1/admin/keys", { name: `dash-${Date.now()}` });
  await server.request("PUT", `/v1/admin/prices/${chatModel}`, { input_per_million: 1000, output_per_million: 2000 });
  for (let index = 0; index < 2; index += 1) {
    await server.request("POST", "/v1/chat/completions", { model: chatModel, messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 8 }, key.key);
  }
  await signIn(key.key);
  const summary = await server.request<{ today: { requests: number; input_tokens: number; output_tokens: number; cost: number } }>("GET", "/v1/usage/summary?tz=UTC", undefined, key.key);
  expect(summary.today.requests).toBe(2);
  await expect(page.getByTestId("Today-requests")).toHaveText("2");
  await expect(page.getByTestId("Today-tokens")).toHaveText(String(summary.today.input_tokens + summary.today.output_tokens));
  await expect(page.getByTestId("Today-cost")).toHaveText(`$${summary.today.cost.toFixed(summary.today.cost < 0.01 ? 6 : 2)}`);
  // A user key sees no admin cards.
  await expect(page.getByRole("region", { name: "Loaded models" })).toHaveCount(0);
  await expectAccessible();
});

test("an admin sees the engine pool, provider health and recent errors; dark theme and a phone-sized screen stay usable and accessible", async ({ page, signIn, server, expectAccessible }) => {
  const suffix = Date.now().toString(36);
  // An upstream that cannot be reached: the request fails (502) and the ledger records it as an error.
  await server.request("POST", "/v1/admin/providers", { name: `down-${suffix}`, base_url: "http://127.0.0.1:9/v1", models: [`ghost-${suffix}`], timeout_ms: 2000 });
  const failed = await fetch(new URL("/v1/chat/completions", server.url), {
    method: "POST",
    headers: { authorization: `Bearer ${server.adminKey}`, "content-type": "application/json" },
    body: JSON.stringify({ model: `ghost-${suffix}`, messages: [{ role: "user", content: "hi" }], max_tokens: 4 }),
  });
  expect(failed.status).toBe(502);
  await signIn();
  await expect(page.getByRole("region", { name: "Loaded models" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Provider health" })).toContainText(`down-${suffix}`);
  await expect(page.getByRole("region", { name: "Recent errors" })).toContainText(`ghost-${suffix}`);
  await page.getByRole("button", { name: "Switch to the dark theme" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-mantine-color-scheme", "dark");
  await expectAccessible();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole("button", { name: "Toggle navigation" }).click();
  await expect(page.getByRole("navigation", { name: "Console sections" }).getByRole("link", { name: "Dashboard" })).toBeVisible();
  await expectAccessible();
});
