import type { Locator, Page } from "@playwright/test";
import type { ConsoleServer } from "./support/console-server.js";
import { chatModel, expect, secondChatModel, test } from "./support/fixtures.js";

type KeyView = { id: string; name: string; prefix: string; rpm: number | null; tpm: number | null; max_concurrent_requests: number | null; budget: number | null; budget_period: string; spent: number; models: string[] | null; expires_at: number | null; is_admin: boolean; allow_code_execution: boolean; status: string };

const dollars = (value: number) => `$${value.toFixed(value !== 0 && Math.abs(value) < 0.01 ? 6 : 2)}`;

/** A chat completion straight at the API with `key` (not through the console): its HTTP status. */
async function chat(server: ConsoleServer, key: string, model = chatModel): Promise<number> {
  const response = await fetch(new URL("/v1/chat/completions", server.url), {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 4 }),
  });
  await response.text();
  return response.status;
}

/** Picks `option` in the Mantine select labelled `label` (inside `scope`). */
async function choose(scope: Page | Locator, page: Page, label: string, option: string): Promise<void> {
  await scope.getByRole("combobox", { name: label, exact: true }).click();
  await page.getByRole("option", { name: option, exact: true }).click();
}

const row = (page: Page, name: string) => page.getByRole("row").filter({ has: page.getByRole("cell", { name, exact: true }) });

test("create a key with every limit: the secret shows once, the key works, revoking it in the console makes it 401", async ({ page, server, signIn, expectAccessible }) => {
  await server.request("PUT", `/v1/admin/prices/${chatModel}`, { input_per_million: 1000, output_per_million: 2000 });
  const name = `created ${Date.now()}`;
  await signIn(undefined, "/console/keys");
  await expect(page.getByRole("heading", { name: "Keys", level: 1 })).toBeVisible();
  await expectAccessible();

  await page.getByRole("button", { name: "Create key" }).click();
  const form = page.getByRole("dialog", { name: "Create key" });
  await form.getByLabel("Name").fill(name);
  await choose(form, page, "Allowed models", chatModel);
  await page.keyboard.press("Escape");
  await form.getByLabel("Requests per minute").fill("100");
  await form.getByLabel("Tokens per minute").fill("100000");
  await form.getByLabel("Concurrent requests").fill("3");
  await form.getByLabel("Budget (dollars)").fill("5");
  await choose(form, page, "Budget period", "Week");
  await form.getByLabel("Expires").fill("2099-12-31T23:30");
  await form.getByRole("switch", { name: /Allow code execution/ }).check();
  await expectAccessible();
  await form.getByRole("button", { name: "Create key" }).click();

  const shown = page.getByRole("dialog", { name: "Key created" });
  await expect(shown).toContainText("This is the only time the key");
  const secret = (await shown.getByTestId("new-key-secret").textContent())?.trim() ?? "";
  expect(secret).toMatch(/^aip_/);
  await expectAccessible();
  await shown.getByRole("button", { name: "Done" }).click();
  await expect(page.getByText(secret)).toHaveCount(0);

  // The new key is in the list without a reload, with every limit as created.
  const created = row(page, name);
  await expect(created).toBeVisible();
  await expect(created).toContainText(chatModel);
  await expect(created).toContainText("100 rpm, 100,000 tpm, 3 concurrent");
  await expect(created).toContainText("$0.00 of $5.00 (0%) this week");
  await expect(created).toContainText("Active");
  const list = await server.request<{ data: KeyView[] }>("GET", `/v1/admin/keys?search=${encodeURIComponent(name)}`);
  expect(JSON.stringify(list)).not.toContain(secret);
  expect(list.data[0]).toMatchObject({ name, models: [chatModel], rpm: 100, tpm: 100_000, max_concurrent_requests: 3, budget: 5, budget_period: "week", is_admin: false, allow_code_execution: true });
  const expires = new Date(list.data[0]!.expires_at! * 1000);
  expect([expires.getFullYear(), expires.getMonth() + 1, expires.getDate(), expires.getHours(), expires.getMinutes()]).toEqual([2099, 12, 31, 23, 30]);

  // The key works, and its spend shows against its budget.
  expect(await chat(server, secret)).toBe(200);
  expect(await chat(server, secret, secondChatModel)).toBe(403);
  const spent = (await server.request<KeyView>("GET", `/v1/admin/keys/${list.data[0]!.id}`)).spent;
  expect(spent).toBeGreaterThan(0);
  await page.reload();
  await expect(row(page, name)).toContainText(`${dollars(spent)} of $5.00 (${Math.round((spent / 5) * 100)}%) this week`);

  // Revoke with confirmation: the key is refused at once.
  await row(page, name).getByRole("button", { name: `Revoke ${name}` }).click();
  const confirm = page.getByRole("dialog", { name: `Revoke key ${name}?` });
  await expect(confirm).toContainText("cannot be undone");
  await expectAccessible();
  await confirm.getByRole("button", { name: "Revoke key" }).click();
  await expect(row(page, name)).toContainText("Revoked");
  expect(await chat(server, secret)).toBe(401);
});

test("edit limits: a lower rpm applies at once, and clearing it removes the limit", async ({ page, server, signIn, expectAccessible }) => {
  const name = `edited ${Date.now()}`;
  const key = await server.request<KeyView & { key: string }>("POST", "/v1/admin/keys", { name, budget: 1 });
  await signIn(undefined, `/console/keys?search=${encodeURIComponent(name)}`);
  await page.getByRole("button", { name: "Switch to the dark theme" }).click();
  await row(page, name).getByRole("button", { name: `Edit ${name}` }).click();
  const form = page.getByRole("dialog", { name: `Edit key ${name}` });
  await expect(form.getByLabel("Name")).toHaveValue(name);
  await form.getByLabel("Requests per minute").fill("1");
  await form.getByLabel("Concurrent requests").fill("2");
  await form.getByLabel("Budget (dollars)").fill("3");
  await choose(form, page, "Budget period", "Day");
  await expect(form).toContainText("A new budget period starts now");
  await expectAccessible();
  await form.getByRole("button", { name: "Save changes" }).click();
  await expect(form).toHaveCount(0);
  await expect(row(page, name)).toContainText("1 rpm");
  await expect(row(page, name)).toContainText("$0.00 of $3.00 (0%) today");
  expect(await server.request<KeyView>("GET", `/v1/admin/keys/${key.id}`)).toMatchObject({ rpm: 1, max_concurrent_requests: 2, budget: 3, budget_period: "day", tpm: null });

  expect(await chat(server, key.key)).toBe(200);
  expect(await chat(server, key.key)).toBe(429);

  await row(page, name).getByRole("button", { name: `Edit ${name}` }).click();
  await form.getByLabel("Requests per minute").fill("");
  await form.getByLabel("Concurrent requests").fill("");
  await form.getByLabel("Budget (dollars)").fill("");
  await form.getByRole("button", { name: "Save changes" }).click();
  await expect(form).toHaveCount(0);
  await expect(row(page, name)).toContainText("None");
  await expect(row(page, name)).toContainText("today, no budget");
  expect(await server.request<KeyView>("GET", `/v1/admin/keys/${key.id}`)).toMatchObject({ rpm: null, max_concurrent_requests: null, budget: null });
  expect(await chat(server, key.key)).toBe(200);
});

test("filter, sort and page through more than one page of keys on the server", async ({ page, server, signIn, expectAccessible }) => {
  const tag = `paging${Date.now()}`;
  const names = ["kilo", "alpha", "juliett", "echo", "hotel", "bravo", "lima", "delta", "india", "charlie", "golf", "foxtrot"].map((word) => `${tag} ${word}`);
  const ids: Record<string, string> = {};
  for (const name of names) ids[name] = (await server.request<{ id: string }>("POST", "/v1/admin/keys", { name, is_admin: name.endsWith("lima") })).id;
  await server.request("DELETE", `/v1/admin/keys/${ids[`${tag} echo`]}`);
  const spender = await server.request<{ key: string }>("PATCH", `/v1/admin/keys/${ids[`${tag} golf`]}`, { budget: 10 });
  expect(spender).toBeTruthy();
  const listRequests: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("/v1/admin/keys")) listRequests.push(request.url());
  });

  await signIn(undefined, "/console/keys");
  await page.getByLabel("Search").fill(tag);
  await choose(page, page, "Sort by", "Name");
  await choose(page, page, "Per page", "10");
  const sorted = [...names].sort();
  const count = page.getByTestId("keys-count");
  await expect(count).toHaveText("Keys 1–10 of 12");
  const namesShown = () => page.getByRole("table", { name: "API keys" }).locator("tbody tr td:first-child").allTextContents();
  expect(await namesShown()).toEqual(sorted.slice(0, 10));
  await page.getByRole("button", { name: "Page 2" }).click();
  await expect(count).toHaveText("Keys 11–12 of 12");
  expect(await namesShown()).toEqual(sorted.slice(10));
  expect(listRequests.some((url) => /limit=10/.test(url) && /offset=10/.test(url) && /sort=name/.test(url))).toBe(true);
  await expect(page).toHaveURL(/page=2/);

  await choose(page, page, "Order", "Descending");
  await expect(count).toHaveText("Keys 1–10 of 12");
  expect(await namesShown()).toEqual([...sorted].reverse().slice(0, 10));

  await choose(page, page, "Status", "Revoked");
  await expect(count).toHaveText("Keys 1–1 of 1");
  expect(await namesShown()).toEqual([`${tag} echo`]);
  await choose(page, page, "Status", "Active");
  await choose(page, page, "Role", "Admin");
  await expect(count).toHaveText("Keys 1–1 of 1");
  expect(await namesShown()).toEqual([`${tag} lima`]);
  await choose(page, page, "Role", "All");
  await choose(page, page, "Status", "All");

  // Spend: the key that made a request comes first by spend.
  await server.request("PUT", `/v1/admin/prices/${chatModel}`, { input_per_million: 1000, output_per_million: 2000 });
  const secret = await server.request<{ key: string }>("POST", "/v1/admin/keys", { name: `${tag} zulu spender`, budget: 10 });
  expect(await chat(server, secret.key)).toBe(200);
  await page.reload();
  await choose(page, page, "Sort by", "Spend");
  await expect(count).toHaveText("Keys 1–10 of 13");
  await expect.poll(async () => (await namesShown())[0]).toBe(`${tag} zulu spender`);
  await page.setViewportSize({ width: 390, height: 844 });
  await expectAccessible();
});

test("a user key cannot open the keys page and never calls the admin API", async ({ page, server, signIn, expectAccessible }) => {
  const user = await server.request<{ key: string }>("POST", "/v1/admin/keys", { name: `not admin ${Date.now()}` });
  const adminCalls: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("/v1/admin/")) adminCalls.push(request.url());
  });
  await signIn(user.key, "/console/keys");
  await expect(page.getByRole("heading", { name: "Keys", level: 1 })).toBeVisible();
  await expect(page.getByRole("alert")).toContainText("Only an admin key can manage API keys");
  await expect(page.getByRole("table", { name: "API keys" })).toHaveCount(0);
  await expect(page.getByRole("navigation", { name: "Console sections" }).getByRole("link", { name: "Keys" })).toHaveCount(0);
  await expect(page.getByRole("navigation", { name: "Console sections" }).getByRole("link", { name: "Usage" })).toBeVisible();
  expect(adminCalls).toEqual([]);
  await expectAccessible();
});

test("bad input gets the API's own error: a negative budget, an expiry in the past, no name", async ({ page, signIn, server, expectAccessible }) => {
  await signIn(undefined, "/console/keys");
  await page.getByRole("button", { name: "Create key" }).click();
  const form = page.getByRole("dialog", { name: "Create key" });
  await form.getByRole("button", { name: "Create key" }).click();
  await expect(form.getByRole("alert")).toContainText("name must not be empty (name)");

  const name = `bad input ${Date.now()}`;
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Budget (dollars)").fill("-1");
  await form.getByRole("button", { name: "Create key" }).click();
  await expect(form.getByRole("alert")).toContainText("budget must be a non-negative number of dollars (budget)");
  await expectAccessible();

  await form.getByLabel("Budget (dollars)").fill("2");
  await form.getByLabel("Expires").fill("2020-01-01T00:00");
  await form.getByRole("button", { name: "Create key" }).click();
  await expect(form.getByRole("alert")).toContainText("expires_at must be in the future");
  await expect(form.getByRole("alert")).toContainText("(expires_at)");
  // Nothing was created by the refused attempts.
  expect((await server.request<{ total: number }>("GET", `/v1/admin/keys?search=${encodeURIComponent(name)}`)).total).toBe(0);

  await form.getByLabel("Expires").fill("");
  await form.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByRole("dialog", { name: "Key created" })).toBeVisible();
});
