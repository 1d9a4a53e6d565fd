import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chatModel, expect, test } from "./support/fixtures.js";

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const questions = path.join(process.env.AIPLUS_TEST_DATASETS ?? path.resolve(repositoryRoot, "../shared/datasets"), "do-not-answer", "do_not_answer_en.first200.csv");

type Metric = { name: string; value: number; interval: [number, number] | null; count: number };
type Run = { id: string; status: string; metrics: Metric[] };

const percent = (value: number) => `${(value * 100).toFixed(2)}%`;
const interval = (value: [number, number] | null) => (value ? `[${percent(value[0])}, ${percent(value[1])}]` : "—");

/** Four Do-Not-Answer questions from two risk areas (ids 0, 1, 176, 177 of the shared subset, lines kept as they are). */
function twoAreaDataset(): string {
  const lines = readFileSync(questions, "utf8").split("\n");
  const header = lines[0]!;
  const rows = lines.filter((line) => /^(0|1|176|177),/.test(line));
  expect(rows).toHaveLength(4);
  const file = test.info().outputPath("do_not_answer_en.two-areas.csv"); // the test's own output folder
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${[header, ...rows].join("\n")}\n`);
  return file;
}

test("a Do-Not-Answer run with a judge shows harmful and refusal rates per risk area as the API computes them, and its items", async ({ page, signIn, server, expectAccessible }) => {
  const dataset = twoAreaDataset();
  await signIn();
  await page.getByRole("navigation", { name: "Console sections" }).getByRole("link", { name: "Safety" }).click();
  await expect(page.getByRole("heading", { name: "Safety", level: 1 })).toBeVisible();
  await page.mouse.move(0, 0);
  await expectAccessible();

  await page.getByLabel("Model", { exact: true }).selectOption(chatModel);
  await page.getByLabel("Judge model").selectOption(chatModel);
  await page.getByLabel("Limit (questions)").fill("4");
  await page.getByLabel("Dataset file on the server (admin)").fill(dataset);
  const started = page.waitForResponse((response) => response.url().endsWith("/v1/evals") && response.request().method() === "POST");
  await page.getByRole("button", { name: "Start safety run" }).click();
  const run = (await (await started).json()) as Run;
  expect((await started).status()).toBe(202);
  await expect(page.getByRole("heading", { name: `do_not_answer on ${chatModel}` })).toBeVisible();
  await expect(page.getByTestId("run-progress")).toHaveText(/^\d+ \/ 4 items$/);
  await expect(page.getByTestId("run-progress")).toHaveText("4 / 4 items", { timeout: 120_000 });
  await expect(page.getByTestId("run-status").first()).toHaveText("completed");

  const finished = await server.request<Run>("GET", `/v1/evals/${run.id}`);
  expect(finished.status).toBe("completed");
  const metric = (name: string) => finished.metrics.find((entry) => entry.name === name)!;
  for (const [name, testId] of [["harmful_rate", "harmful-rate"], ["refusal_rate", "refusal-rate"], ["harmless_rate", "harmless-rate"]] as const) {
    await expect(page.getByTestId(testId)).toHaveText(percent(metric(name).value));
    await expect(page.getByTestId(`${testId}-interval`)).toHaveText(`95% interval ${interval(metric(name).interval)}`);
  }
  const areas = finished.metrics.flatMap((entry) => (/^harmful_rate\[(.+)\]$/.exec(entry.name)?.[1] ? [/^harmful_rate\[(.+)\]$/.exec(entry.name)![1]!] : []));
  expect(areas.sort()).toEqual(["Discrimination, Exclusion, Toxicity, Hateful, Offensive", "Human-Chatbot Interaction Harms"]);
  await expect(page.getByTestId("risk-area-table").locator("tbody tr")).toHaveCount(2);
  for (const area of areas) {
    const row = page.getByTestId("risk-area-table").locator(`tr[data-area="${area}"]`);
    await expect(row.getByTestId("area-harmful")).toHaveText(percent(metric(`harmful_rate[${area}]`).value));
    await expect(row.getByTestId("area-refusal")).toHaveText(percent(metric(`refusal_rate[${area}]`).value));
    await expect(row).toContainText(interval(metric(`refusal_rate[${area}]`).interval));
    await expect(row.locator("td").nth(1)).toHaveText(String(metric(`harmful_rate[${area}]`).count));
  }

  // The items: question, risk area, the judge's action and verdict, the answer.
  const items = await server.request<{ total: number; data: { prompt: string; reference: { riskArea: string }; prediction: { action: string; harmful: boolean } }[] }>("GET", `/v1/evals/${run.id}/items?limit=10`);
  expect(items.total).toBe(4);
  await expect(page.getByTestId("items-range")).toHaveText("Items 1–4 of 4");
  const rows = page.getByTestId("item-row");
  await expect(rows).toHaveCount(4);
  for (const [index, item] of items.data.entries()) {
    await expect(rows.nth(index)).toContainText(item.prompt);
    await expect(rows.nth(index)).toContainText(item.reference.riskArea);
    await expect(rows.nth(index)).toContainText(item.prediction.action);
    await expect(rows.nth(index).locator("td").nth(4)).toHaveText(item.prediction.harmful ? "Yes" : "No");
  }
  await page.getByLabel("Items per page").selectOption("3");
  await expect(page.getByTestId("items-range")).toHaveText("Items 1–3 of 4");
  await page.getByRole("button", { name: "Next items" }).click();
  await expect(page.getByTestId("items-range")).toHaveText("Items 4–4 of 4");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(items.data[3]!.prompt);
  await page.mouse.move(0, 0);
  await expectAccessible();
  // Only Do-Not-Answer runs are listed here.
  await expect(page.getByTestId("runs-table").locator(`tr[data-run-id="${run.id}"]`)).toBeVisible();
  const listed = await page.getByTestId("runs-table").locator("tbody tr td:nth-child(2)").allTextContents();
  expect(listed.every((task) => task.startsWith("do_not_answer"))).toBe(true);
});

test("bad input gets the API's error: a limit of 0", async ({ page, signIn, server }) => {
  await signIn(undefined, "/console/safety");
  await page.getByLabel("Limit (questions)").fill("0");
  await page.getByRole("button", { name: "Start safety run" }).click();
  const refusal = await fetch(new URL("/v1/evals", server.url), {
    method: "POST",
    headers: { authorization: `Bearer ${server.adminKey}`, "content-type": "application/json" },
    body: JSON.stringify({ task: "do_not_answer", model: chatModel, judge_model: chatModel, limit: 0 }),
  }).then((response) => response.json() as Promise<{ error: { message: string; param: string } }>);
  expect(refusal.error.param).toBe("limit");
  await expect(page.getByRole("alert").filter({ hasText: "The run was not started" })).toContainText(`${refusal.error.message} (limit)`);
});
