import fs from "node:fs";
import path from "node:path";
import type { Page } from "@playwright/test";
import { startSlowFileServer, type SlowFileServer } from "../test/support/slow-file-server.js";
import { testModelPath } from "./support/console-server.js";
import { chatModel, embeddingModel, expect, secondChatModel, test } from "./support/fixtures.js";

type PullView = { id: string; name: string; status: string; bytes_done: number; bytes_total: number | null; rate_bytes_per_second: number | null };

let files: SlowFileServer;
test.beforeAll(async () => {
  // 8 KiB every 50 ms (about 160 KB/s): slow enough to watch, leave and come back.
  files = await startSlowFileServer({ chunkBytes: 8 * 1024, tickMs: 50 });
});
test.afterAll(async () => files?.close());

const stamp = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** A dialog once its opening transition is over (axe measures contrast on what is painted). */
async function settledDialog(page: Page, name: string) {
  const dialog = page.getByRole("dialog", { name });
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveCSS("opacity", "1");
  return dialog;
}

function row(page: Page, name: string) {
  return page.getByTestId(`model-row-${name}`);
}

function pullCard(page: Page, name: string) {
  return page.getByTestId(`pull-${name}`);
}

/** The exact bytes a pull card shows (`262,144 of 1,750,560 bytes`). */
async function bytesShown(page: Page, name: string): Promise<number> {
  const text = (await pullCard(page, name).getByTestId("pull-bytes").textContent()) ?? "";
  return Number(/^([\d,.\s]+) of/.exec(text)?.[1]?.replace(/[^\d]/g, "") ?? Number.NaN);
}

async function openModels(page: Page) {
  await page.getByRole("navigation", { name: "Console sections" }).getByRole("link", { name: "Models" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Models" })).toBeVisible();
  // Not left hovering the navigation link.
  await page.mouse.move(0, 0);
}

test("the registry shows each model's real architecture figures and details; user keys cannot see the page", async ({ page, signIn, server, expectAccessible }) => {
  const moe = `moe-${stamp()}`;
  await server.request("POST", "/v1/admin/models", { path: testModelPath("tiny-llama-moe-random.gguf"), name: moe });
  await signIn();
  await openModels(page);
  const stories = row(page, chatModel);
  await expect(stories.getByRole("rowheader")).toHaveText(chatModel);
  await expect(stories.getByRole("cell")).toHaveText(["llama", "292,800", "F32", "2,048 tokens", "—", "text → text", "1.1 MB", /^(Not loaded|Loaded \(.+\))$/, /Details/]);
  await expect(row(page, secondChatModel).getByRole("cell").first()).toHaveText("llama");
  await expect(row(page, secondChatModel).getByRole("cell").nth(1)).toHaveText("513,048");
  await expect(row(page, secondChatModel).getByRole("cell").nth(2)).toHaveText("F16");
  await expect(row(page, embeddingModel).getByRole("cell").nth(5)).toHaveText("text → embedding");
  await expect(row(page, moe).getByRole("cell").nth(4)).toHaveText("2 of 4 per token");
  await expect(row(page, moe).getByRole("cell").nth(3)).toHaveText("512 tokens");
  await expectAccessible();

  await page.getByRole("button", { name: `Details of ${chatModel}` }).click();
  const details = await settledDialog(page, `Model ${chatModel}`);
  await expect(details.getByRole("row", { name: /^Path/ })).toContainText(testModelPath("stories260K.gguf"));
  await expect(details.getByRole("row", { name: /^Vocabulary/ })).toContainText("512 tokens");
  await expect(details.getByRole("row", { name: /^File size/ })).toContainText("1,185,376 bytes");
  await expectAccessible();
  await page.keyboard.press("Escape");
  await expect(details).toBeHidden();

  // A user key: no Models entry, and the URL shows why without calling the admin API.
  const user = await server.request<{ key: string }>("POST", "/v1/admin/keys", { name: `models-user-${stamp()}` });
  await page.getByRole("button", { name: "Sign out" }).click();
  const adminCalls: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("/v1/admin/")) adminCalls.push(request.url());
  });
  await signIn(user.key);
  await expect(page.getByRole("navigation", { name: "Console sections" }).getByRole("link", { name: "Models" })).toHaveCount(0);
  await page.goto("/console/models");
  await expect(page.getByText("This page is for admin keys.")).toBeVisible();
  await expect(page.getByRole("table", { name: "Registered models" })).toHaveCount(0);
  expect(adminCalls).toEqual([]);
  await expectAccessible();
});

test("adds a model from a server path; a bad path shows the API's error", async ({ page, signIn, server }) => {
  const name = `qwen-${stamp()}`;
  await signIn();
  await openModels(page);
  const form = page.getByRole("form", { name: "Add from a server path" });
  await form.getByLabel("File path on the server").fill("/no/such/folder/model.gguf");
  await form.getByLabel("Name (optional)").fill(name);
  await form.getByRole("button", { name: "Add model" }).click();
  const error = form.getByRole("alert");
  await expect(error).toContainText("Could not add the model");
  await expect(error).toContainText("/no/such/folder/model.gguf");
  await expect(error).toContainText("(path)");

  await form.getByLabel("File path on the server").fill(testModelPath("tiny-qwen2moe-random.gguf"));
  await form.getByRole("button", { name: "Add model" }).click();
  await expect(form.getByRole("status")).toHaveText(`Added ${name} (qwen2moe).`);
  await expect(row(page, name).getByRole("cell").first()).toHaveText("qwen2moe");
  await expect(row(page, name).getByRole("cell").nth(1)).toHaveText("238,784");
  const saved = await server.request<{ architecture: string; path: string }>("GET", `/v1/admin/models/${name}`);
  expect(saved).toMatchObject({ architecture: "qwen2moe", path: testModelPath("tiny-qwen2moe-random.gguf") });
});

test("a pull shows bytes, rate and ETA, keeps going while the page is left, and registers the model", async ({ page, signIn, server, expectAccessible }) => {
  const name = `pulled-${stamp()}`;
  const file = `${name}/llama-2-tiny-random.gguf`;
  const bytes = fs.readFileSync(testModelPath("llama-2-tiny-random.gguf"));
  const url = files.serve(file, { bytes, holdAt: 1_200_000 });
  await signIn();
  await openModels(page);
  const form = page.getByRole("form", { name: "Pull from a URL or Hugging Face" });
  await form.getByLabel("Source").fill(url);
  await form.getByLabel("Name (optional)").fill(name);
  await form.getByRole("button", { name: "Start pull" }).click();

  const card = pullCard(page, name);
  await expect(card.getByTestId("pull-status")).toHaveText("Downloading");
  await expect(card.getByTestId("pull-progress")).toContainText("of 1.7 MB");
  await expect(card.getByTestId("pull-rate")).toHaveText(/^\d+(\.\d)? (B|KB|MB)\/s · about \d+( min \d+)? s left$/);
  await expect(card.getByRole("progressbar", { name: `Download of ${name}` })).toBeVisible();
  await expectAccessible();
  const before = await bytesShown(page, name);
  expect(before).toBeGreaterThan(0);
  expect(before).toBeLessThan(1_200_000);

  // Leave the page: the server keeps downloading; on return the card shows more bytes, still coming.
  await page.getByRole("navigation", { name: "Console sections" }).getByRole("link", { name: "Dashboard" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  const whileAway = await server.request<{ data: PullView[] }>("GET", "/v1/admin/model-pulls?status=running");
  expect(whileAway.data.find((pull) => pull.name === name)?.bytes_total).toBe(bytes.length);
  await openModels(page);
  await expect(pullCard(page, name).getByTestId("pull-status")).toHaveText("Downloading");
  await expect.poll(() => bytesShown(page, name)).toBeGreaterThan(before);
  const afterReturn = await bytesShown(page, name);
  await expect.poll(() => bytesShown(page, name)).toBeGreaterThan(Math.min(afterReturn, 1_199_999));

  files.release(file);
  await expect(pullCard(page, name).getByTestId("pull-status")).toHaveText("Completed", { timeout: 60_000 });
  await expect(pullCard(page, name).getByTestId("pull-bytes")).toHaveText("1,750,560 of 1,750,560 bytes");
  await expect(row(page, name).getByRole("cell").nth(1)).toHaveText("513,048");
});

test("cancelling a pull leaves no partial file and no model; a failed pull retries from where it stopped", async ({ page, signIn, server, expectAccessible }) => {
  const cancelled = `cancelled-${stamp()}`;
  const stories = fs.readFileSync(testModelPath("stories260K.gguf"));
  const heldUrl = files.serve(`${cancelled}/stories260K.gguf`, { bytes: stories, holdAt: 262_144 });
  await signIn();
  await openModels(page);
  const form = page.getByRole("form", { name: "Pull from a URL or Hugging Face" });
  await form.getByLabel("Source").fill(heldUrl);
  await form.getByLabel("Name (optional)").fill(cancelled);
  await form.getByRole("button", { name: "Start pull" }).click();
  await expect(pullCard(page, cancelled).getByTestId("pull-bytes")).toHaveText("262,144 of 1,185,376 bytes");
  const { data } = await server.request<{ data: PullView[] }>("GET", "/v1/admin/model-pulls?limit=100");
  const pull = data.find((entry) => entry.name === cancelled)!;
  const folder = path.join(server.home, "models", "pulls", pull.id);
  expect(fs.readdirSync(folder).sort()).toEqual(["stories260K.gguf.partial", "stories260K.gguf.partial.json"]);

  await page.getByRole("button", { name: `Cancel the pull of ${cancelled}` }).click();
  await expect(pullCard(page, cancelled).getByTestId("pull-status")).toHaveText("Cancelled");
  expect(fs.existsSync(folder)).toBe(false);
  await expect(row(page, cancelled)).toHaveCount(0);
  await expect(server.request("GET", `/v1/admin/models/${cancelled}`)).rejects.toThrow(/404/);

  // Cut off after 384 KiB: the pull fails with the reason; Retry resumes it with a Range request.
  const resumed = `resumed-${stamp()}`;
  const cutUrl = files.serve(`${resumed}/stories260K.gguf`, { bytes: stories, cutFirstRequestAfter: 393_216 });
  await form.getByLabel("Source").fill(cutUrl);
  await form.getByLabel("Name (optional)").fill(resumed);
  await form.getByRole("button", { name: "Start pull" }).click();
  await expect(pullCard(page, resumed).getByTestId("pull-status")).toHaveText("Failed");
  await expect(pullCard(page, resumed).getByTestId("pull-error")).toHaveText(/^download of stories260K\.gguf was interrupted after \d+ of 1185376 bytes; retry the pull to resume where it stopped$/);
  await expectAccessible();
  await page.getByRole("button", { name: `Retry the pull of ${resumed}` }).click();
  await expect(pullCard(page, resumed).getByTestId("pull-status")).toHaveText("Completed");
  await expect(pullCard(page, resumed).getByTestId("pull-bytes")).toHaveText(/^1,185,376 of 1,185,376 bytes, resumed from byte [\d,]+$/);
  const ranges = files.requestsFor(`${resumed}/stories260K.gguf`).map((request) => request.range);
  expect(ranges[0]).toBeUndefined();
  expect(ranges[1]).toMatch(/^bytes=\d+-$/);
  await expect(row(page, resumed).getByRole("cell").first()).toHaveText("llama");
});

test("load and unload show the loaded state; delete asks first, shows 409 model_in_use and can force it", async ({ page, signIn, server, expectAccessible }) => {
  const chat = `load-${stamp()}`;
  const embedder = `embed-${stamp()}`;
  await server.request("POST", "/v1/admin/models", { path: testModelPath("stories260K.gguf"), name: chat });
  await server.request("POST", "/v1/admin/models", { path: testModelPath("tiny-bert-random.gguf"), name: embedder });
  await server.request("POST", "/v1/knowledge-bases", { name: `kb-${embedder}`, embedding_model: embedder });
  await signIn();
  await openModels(page);

  await page.getByRole("button", { name: `Load ${chat}` }).click();
  await expect(row(page, chat).getByRole("cell").nth(7)).toHaveText(/^Loaded \(\d+(\.\d)? (KB|MB|GB)\)$/);
  const runtime = await server.request<{ loaded: Array<{ name: string }> }>("GET", "/v1/admin/runtime");
  expect(runtime.loaded.map((model) => model.name)).toContain(chat);
  await page.getByRole("button", { name: `Unload ${chat}` }).click();
  await expect(row(page, chat).getByRole("cell").nth(7)).toHaveText("Not loaded");

  await page.getByRole("button", { name: `Delete ${chat}` }).click();
  const dialog = await settledDialog(page, `Delete model ${chat}?`);
  await expect(dialog).toContainText("Its file stays on the server");
  await expectAccessible();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(row(page, chat)).toHaveCount(1);
  await page.getByRole("button", { name: `Delete ${chat}` }).click();
  await page.getByRole("dialog", { name: `Delete model ${chat}?` }).getByRole("button", { name: "Delete" }).click();
  await expect(row(page, chat)).toHaveCount(0);
  await expect(server.request("GET", `/v1/admin/models/${chat}`)).rejects.toThrow(/404/);

  await page.getByRole("button", { name: `Delete ${embedder}` }).click();
  const inUse = page.getByRole("dialog", { name: `Delete model ${embedder}?` });
  await inUse.getByRole("button", { name: "Delete" }).click();
  await expect(inUse.getByRole("alert")).toContainText("The model is in use");
  await expect(inUse.getByRole("alert")).toContainText(`model ${embedder} is used by 1 knowledge base: kb-${embedder}`);
  await expect(inUse.getByRole("button", { name: "Delete" })).toBeDisabled();
  await inUse.getByLabel("Delete it anyway (those knowledge bases become unusable)").check();
  await inUse.getByRole("button", { name: "Force delete" }).click();
  await expect(row(page, embedder)).toHaveCount(0);
});

test("works on a phone-sized screen and in the dark theme", async ({ page, signIn, expectAccessible }) => {
  await signIn();
  await openModels(page);
  await page.getByRole("button", { name: "Switch to the dark theme" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-mantine-color-scheme", "dark");
  await expect(row(page, chatModel)).toBeVisible();
  await expectAccessible();
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByRole("form", { name: "Pull from a URL or Hugging Face" }).getByRole("button", { name: "Start pull" })).toBeVisible();
  // The registry scrolls sideways inside its own box; its actions stay reachable.
  await page.getByRole("button", { name: `Details of ${chatModel}` }).click();
  await settledDialog(page, `Model ${chatModel}`);
  await expectAccessible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
