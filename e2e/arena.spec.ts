import type { Page, Response } from "@playwright/test";
import { testModelPath } from "./support/console-server.js";
import { expect, test } from "./support/fixtures.js";

type Leaderboard = { battles: number; data: { model: string; rating: number; interval: [number, number]; elo: number; battles: number }[] };
type Battle = { id: string; status: string; winner: string | null; models: { a: string; b: string } | null };

/** Every response body the page receives from now on (streamed ones once they end). */
function collectResponses(page: Page): { settled: () => Promise<{ url: string; body: string }[]>; stop: () => void } {
  const pending: Promise<{ url: string; body: string }>[] = [];
  const listener = (response: Response) => {
    pending.push(response.text().then((body) => ({ url: response.url(), body }), () => ({ url: response.url(), body: "" })));
  };
  page.on("response", listener);
  return { settled: () => Promise.all(pending), stop: () => page.off("response", listener) };
}

test("a blind battle hides both models from the page and every response until the vote, then reveals them and rates them", async ({ page, signIn, server, expectAccessible }) => {
  // Two models under names that occur nowhere else (not in prompts, answers or other tests), for a key that may use only them.
  const suffix = Math.random().toString(36).slice(2, 8);
  const models = [`arena-${suffix}-north`, `arena-${suffix}-south`];
  await server.request("POST", "/v1/admin/models", { path: testModelPath("stories260K.gguf"), name: models[0] });
  await server.request("POST", "/v1/admin/models", { path: testModelPath("llama-2-tiny-random.gguf"), name: models[1] });
  const key = await server.request<{ key: string }>("POST", "/v1/admin/keys", { name: `arena-${suffix}`, models });
  const before = await server.request<Leaderboard>("GET", "/v1/arena/leaderboard");

  await signIn(key.key);
  const responses = collectResponses(page);
  await page.getByRole("navigation", { name: "Console sections" }).getByRole("link", { name: "Arena" }).click();
  await expect(page.getByRole("heading", { name: "Arena", level: 1 })).toBeVisible();
  await page.getByLabel("Prompt").fill("Once upon a time");
  await page.getByLabel("Max tokens per answer").fill("16");
  const battleRequest = page.waitForRequest((request) => request.url().endsWith("/v1/arena/battles") && request.method() === "POST");
  await page.getByRole("button", { name: "Start battle" }).click();
  expect((await battleRequest).postDataJSON()).toEqual({ prompt: "Once upon a time", max_tokens: 16, stream: true });
  await expect(page.getByRole("button", { name: "A is better" })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId("answer-A").getByText("done")).toBeVisible();
  await expect(page.getByTestId("answer-B").getByText("done")).toBeVisible();

  // Before the vote: no model name in the page's text nor in anything the server sent.
  const pageText = await page.evaluate(() => document.body.innerText);
  for (const model of models) expect(pageText).not.toContain(model);
  const bodies = await responses.settled();
  // The streamed battle itself was read in full (both answers and the ready event).
  expect(bodies.find((entry) => entry.url.endsWith("/v1/arena/battles"))?.body).toContain('"object":"arena.battle.ready"');
  for (const { url, body } of bodies) for (const model of models) expect(body, url).not.toContain(model);
  await page.mouse.move(0, 0);
  await expectAccessible();

  const voteRequest = page.waitForRequest((request) => /\/v1\/arena\/battles\/[^/]+\/vote$/.test(request.url()));
  await page.getByRole("button", { name: "A is better" }).click();
  const battleId = decodeURIComponent(/\/battles\/([^/]+)\/vote$/.exec((await voteRequest).url())![1]!);
  responses.stop();
  const battle = await server.request<Battle>("GET", `/v1/arena/battles/${battleId}`);
  expect(battle).toMatchObject({ status: "voted", winner: "a" });
  expect([battle.models!.a, battle.models!.b].sort()).toEqual([...models].sort());
  await expect(page.getByTestId("revealed-A")).toHaveText(`Model A was ${battle.models!.a}`);
  await expect(page.getByTestId("revealed-B")).toHaveText(`Model B was ${battle.models!.b}`);
  await expect(page.getByRole("status")).toContainText("A is better");
  await page.mouse.move(0, 0);
  await expectAccessible();

  // The leaderboard counts the vote: one more battle, one for each of the two models, ratings as the API computes them.
  await page.getByRole("tab", { name: "Leaderboard" }).click();
  const after = await server.request<Leaderboard>("GET", "/v1/arena/leaderboard");
  expect(after.battles).toBe(before.battles + 1);
  await expect(page.getByTestId("leaderboard-battles")).toHaveText(`${after.battles} voted battles`);
  for (const model of models) {
    const entry = after.data.find((candidate) => candidate.model === model)!;
    expect(entry.battles).toBe(1);
    const row = page.getByTestId("leaderboard-table").locator(`tr[data-model="${model}"]`);
    await expect(row.getByTestId("leaderboard-model-battles")).toHaveText("1");
    await expect(row.getByTestId("leaderboard-rating")).toHaveText(entry.rating.toFixed(1));
    await expect(row).toContainText(`[${entry.interval[0].toFixed(1)}, ${entry.interval[1].toFixed(1)}]`);
  }
  await page.mouse.move(0, 0);
  await expectAccessible();
  // A deep link opens the leaderboard tab.
  await page.reload();
  await expect(page.getByRole("tab", { name: "Leaderboard", selected: true })).toBeVisible();
});

test("a battle the API refuses shows its error (a key with a single model)", async ({ page, signIn, server }) => {
  const key = await server.request<{ key: string }>("POST", "/v1/admin/keys", { name: `arena-single-${Date.now()}`, models: ["stories"] });
  await signIn(key.key, "/console/arena");
  await page.getByLabel("Prompt").fill("Hello");
  await page.getByRole("button", { name: "Start battle" }).click();
  const refusal = await fetch(new URL("/v1/arena/battles", server.url), {
    method: "POST",
    headers: { authorization: `Bearer ${key.key}`, "content-type": "application/json" },
    body: JSON.stringify({ prompt: "Hello", max_tokens: 64, stream: true }),
  });
  expect(refusal.status).toBe(400);
  const { error } = (await refusal.json()) as { error: { message: string; param: string } };
  await expect(page.getByRole("alert")).toContainText(`${error.message} (${error.param})`);
});
