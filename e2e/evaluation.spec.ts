import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "@playwright/test";
import type { ConsoleServer } from "./support/console-server.js";
import { chatModel, expect, secondChatModel, test } from "./support/fixtures.js";

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const hellaswag = path.join(process.env.AIPLUS_TEST_DATASETS ?? path.resolve(repositoryRoot, "../shared/datasets"), "hellaswag", "hellaswag_val_first200.txt");

type Metric = { name: string; value: number; standard_error: number | null; interval: [number, number] | null; count: number };
type Run = { id: string; status: string; task: string; model: string; primary_metric: string; progress: { done: number; total: number }; metrics: Metric[] };

/** The console's number formats: percent with two decimals, intervals in brackets. */
const percent = (value: number) => `${(value * 100).toFixed(2)}%`;
const interval = (value: [number, number] | null) => (value ? `[${percent(value[0])}, ${percent(value[1])}]` : "—");
const points = (value: number) => `${value >= 0 ? "+" : "−"}${Math.abs(value * 100).toFixed(2)}`;

/** Waits (through the API) until a run is finished; the test's timeout bounds it. */
async function finishedRun(server: ConsoleServer, id: string, key?: string): Promise<Run> {
  for (;;) {
    const run = await server.request<Run>("GET", `/v1/evals/${id}`, undefined, key);
    if (run.status !== "pending" && run.status !== "running") return run;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The open run's id, from the page's URL (`?run=`). */
function openRunId(page: Page): string {
  const id = new URL(page.url()).searchParams.get("run");
  expect(id).toBeTruthy();
  return id!;
}

async function expectMetricsLikeTheApi(page: Page, run: Run): Promise<void> {
  expect(run.metrics.length).toBeGreaterThan(0);
  for (const metric of run.metrics) {
    const row = page.getByTestId("metrics-table").locator(`tr[data-metric="${metric.name}"]`);
    await expect(row.getByTestId(`metric-value-${metric.name}`)).toHaveText(percent(metric.value));
    await expect(row.getByTestId(`metric-interval-${metric.name}`)).toHaveText(interval(metric.interval));
  }
}

test("starts a small built-in run, follows it to completion, and shows the API's results and paged items", async ({ page, signIn, server, expectAccessible }) => {
  await signIn();
  await page.getByRole("navigation", { name: "Console sections" }).getByRole("link", { name: "Evaluation" }).click();
  await expect(page.getByRole("heading", { name: "Evaluation", level: 1 })).toBeVisible();
  await page.mouse.move(0, 0); // not hovering the navigation link just clicked
  await expectAccessible();

  await page.getByLabel("Task", { exact: true }).selectOption("hellaswag");
  await page.getByLabel("Model", { exact: true }).selectOption(chatModel);
  await page.getByLabel("Limit (items)").fill("5");
  await page.getByLabel("Dataset file on the server (admin)").fill(hellaswag);
  await page.getByRole("button", { name: "Start run" }).click();

  await expect(page.getByRole("heading", { name: `Run hellaswag on ${chatModel}` })).toBeVisible();
  const id = openRunId(page);
  // Live progress from polling the run until the server finishes it.
  await expect(page.getByTestId("run-progress")).toHaveText(/^\d+ \/ 5 items$/);
  await expect(page.getByTestId("run-progress")).toHaveText("5 / 5 items", { timeout: 60_000 });
  await expect(page.getByRole("region", { name: `Run hellaswag on ${chatModel}` }).getByTestId("run-status")).toHaveText("completed");
  await expect(page.getByRole("progressbar", { name: `Progress of run ${id}` })).toHaveAttribute("aria-valuenow", "100");

  const run = await finishedRun(server, id);
  expect(run).toMatchObject({ status: "completed", progress: { done: 5, total: 5 }, primary_metric: "acc" });
  await expectMetricsLikeTheApi(page, run);
  // The list shows the finished run's score without a reload.
  const accuracy = run.metrics.find((metric) => metric.name === "acc")!;
  await expect(page.getByTestId("runs-table").locator(`tr[data-run-id="${id}"]`)).toContainText(`acc ${percent(accuracy.value)}`);

  // Items: server-side pages of 3.
  await page.getByLabel("Items per page").selectOption("3");
  await expect(page.getByTestId("items-range")).toHaveText("Items 1–3 of 5");
  await expect(page.getByTestId("item-row")).toHaveCount(3);
  const firstPage = await server.request<{ data: { item_id: string }[] }>("GET", `/v1/evals/${id}/items?offset=0&limit=3`);
  await expect(page.getByTestId("item-row").first()).toContainText(firstPage.data[0]!.item_id);
  await page.getByRole("button", { name: "Next items" }).click();
  await expect(page.getByTestId("items-range")).toHaveText("Items 4–5 of 5");
  await expect(page.getByTestId("item-row")).toHaveCount(2);
  const secondPage = await server.request<{ data: { item_id: string }[] }>("GET", `/v1/evals/${id}/items?offset=3&limit=3`);
  await expect(page.getByTestId("item-row").first()).toContainText(secondPage.data[0]!.item_id);
  await expect(page.getByRole("button", { name: "Next items" })).toBeDisabled();
  await page.getByRole("button", { name: "Show the record of item 4" }).click();
  await expect(page.getByText(`"item_id": "${secondPage.data[0]!.item_id}"`)).toBeVisible();
  await page.mouse.move(0, 0);
  await expectAccessible();

  // The open run survives a reload (it is in the URL, its state on the server).
  await page.reload();
  await expect(page.getByTestId("run-progress")).toHaveText("5 / 5 items");
});

test("compares two runs and reports by dimension with a radar chart and a downloadable HTML report", async ({ page, signIn, server, expectAccessible }) => {
  const customTask = {
    name: `capitals-e2e-${Date.now()}`,
    dataset: { records: [{ country: "France", choices: ["Paris", "Rome"], gold: 0 }, { country: "Italy", choices: ["Paris", "Rome"], gold: 1 }, { country: "Peru", choices: ["Lima", "Quito"], gold: 0 }] },
    prompt: { template: "The capital of {{country}} is" },
    scorer: { type: "loglikelihood-multiple-choice", choices: "choices", gold: "{{gold}}" },
    tags: { dimension: "industry", capabilities: ["knowledge"] },
  };
  const started = [
    await server.request<Run>("POST", "/v1/evals", { task: "hellaswag", model: chatModel, limit: 4, data: hellaswag }),
    await server.request<Run>("POST", "/v1/evals", { task: "hellaswag", model: secondChatModel, limit: 4, data: hellaswag }),
    await server.request<Run>("POST", "/v1/evals", { task_definition: customTask, model: chatModel }),
  ];
  const [storiesRun, tinyRun, customRun] = await Promise.all(started.map((run) => finishedRun(server, run.id)));
  for (const run of [storiesRun, tinyRun, customRun]) expect(run!.status).toBe("completed");

  await signIn(undefined, "/console/evaluation");
  await expect(page.getByRole("heading", { name: "Evaluation", level: 1 })).toBeVisible();
  const select = (run: Run) => page.getByRole("checkbox", { name: `Select run ${run.id}` }).check();
  await select(storiesRun!);
  await select(tinyRun!);
  await page.getByRole("button", { name: "Compare selected" }).click();
  await expect(page.getByRole("heading", { name: "Compare runs" })).toBeVisible();
  const comparison = await server.request<{ difference: number; count: number; unmatched: number; interval: [number, number] | null }>("GET", `/v1/evals/compare?a=${storiesRun!.id}&b=${tinyRun!.id}`);
  await expect(page.getByTestId("compare-difference")).toHaveText(points(comparison.difference));
  await expect(page.getByTestId("compare-count")).toHaveText(String(comparison.count));
  await expect(page.getByTestId("compare-unmatched")).toHaveText(String(comparison.unmatched));
  await expect(page.getByTestId("compare-interval")).toHaveText(comparison.interval ? `[${points(comparison.interval[0])}, ${points(comparison.interval[1])}]` : "—");
  await expectAccessible();

  await select(customRun!);
  await page.getByRole("button", { name: "Report on selected" }).click();
  await expect(page.getByRole("heading", { name: "Report by dimension" })).toBeVisible();
  const runs = [storiesRun!, tinyRun!, customRun!].map((run) => run.id).join(",");
  const report = await server.request<{ models: { model: string; dimensions: { dimension: string; score: number | null }[] }[] }>("GET", `/v1/evals/report?runs=${runs}`);
  const radar = page.getByTestId("radar-chart");
  await expect(radar.locator("text")).toHaveText(["general", "industry", "application", "safety"]);
  await expect(radar.locator("polygon[data-series]")).toHaveCount(2);
  for (const model of report.models) {
    for (const entry of model.dimensions) {
      await expect(page.getByTestId(`dimension-${model.model}-${entry.dimension}`)).toHaveText(entry.score === null ? "not evaluated" : percent(entry.score));
    }
  }
  const stories = report.models.find((model) => model.model === chatModel)!;
  expect(stories.dimensions.find((entry) => entry.dimension === "general")!.score).toBe(storiesRun!.metrics.find((metric) => metric.name === "acc")!.value);
  await expectAccessible();
  // The report reads in the dark theme and on a phone too.
  await page.getByRole("button", { name: "Switch to the dark theme" }).click();
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(radar).toBeVisible();
  await page.mouse.move(0, 0);
  await expectAccessible();
  await page.getByRole("button", { name: "Switch to the light theme" }).click();

  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download HTML report" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("aiplus-eval-report.html");
  const html = await readFile((await download.path()), "utf8");
  for (const model of report.models) {
    expect(html).toContain(`<h2>${model.model}</h2>`);
    for (const entry of model.dimensions) {
      expect(html).toContain(`${entry.dimension} ${entry.score === null ? "not evaluated" : `${(entry.score * 100).toFixed(0)}%`}`);
    }
  }
});

test("bad input gets the API's error: invalid YAML and a limit of 0", async ({ page, signIn, server, expectAccessible }) => {
  await signIn(undefined, "/console/evaluation");
  await page.getByLabel("Custom task definition").check();
  const broken = "name: broken\nscorer: { type: exact-match\n";
  await page.getByLabel("Task definition (YAML or JSON)").fill(broken);
  await page.getByLabel("Model", { exact: true }).selectOption(chatModel);
  await page.getByRole("button", { name: "Start run" }).click();
  const yamlError = await fetch(new URL("/v1/evals", server.url), {
    method: "POST",
    headers: { authorization: `Bearer ${server.adminKey}`, "content-type": "application/json" },
    body: JSON.stringify({ task_definition: broken, model: chatModel, limit: 5 }),
  }).then((response) => response.json() as Promise<{ error: { message: string; param: string } }>);
  expect(yamlError.error.param).toBe("task_definition");
  const alert = page.getByRole("alert").filter({ hasText: "The run was not started" });
  await expect(alert).toContainText(`${yamlError.error.message} (task_definition)`);
  await expectAccessible();

  await page.getByLabel("Built-in task").check();
  await page.getByLabel("Task", { exact: true }).selectOption("hellaswag");
  await page.getByLabel("Limit (items)").fill("0");
  await page.getByRole("button", { name: "Start run" }).click();
  const limitError = await fetch(new URL("/v1/evals", server.url), {
    method: "POST",
    headers: { authorization: `Bearer ${server.adminKey}`, "content-type": "application/json" },
    body: JSON.stringify({ task: "hellaswag", model: chatModel, limit: 0 }),
  }).then((response) => response.json() as Promise<{ error: { message: string; param: string } }>);
  expect(limitError.error.param).toBe("limit");
  await expect(alert).toContainText(`${limitError.error.message} (limit)`);
});

test("a user key sees its own runs only and runs a custom task given inline", async ({ page, signIn, server }) => {
  const adminRun = (await server.request<{ data: Run[] }>("GET", "/v1/evals?limit=1")).data[0];
  const key = await server.request<{ key: string }>("POST", "/v1/admin/keys", { name: `evaluator-${Date.now()}` });
  await signIn(key.key, "/console/evaluation");
  await expect(page.getByRole("heading", { name: "Evaluation", level: 1 })).toBeVisible();
  await expect(page.getByText("No run yet.")).toBeVisible();
  if (adminRun) await expect(page.getByText(adminRun.id)).toHaveCount(0);
  await page.getByLabel("Custom task definition").check();
  await expect(page.getByLabel("Dataset file on the server (admin)")).toHaveCount(0);
  await page.getByLabel("Model", { exact: true }).selectOption(chatModel);
  await page.getByRole("button", { name: "Start run" }).click(); // the example definition: three inline records
  await expect(page.getByRole("heading", { name: `Run capitals on ${chatModel}` })).toBeVisible();
  await expect(page.getByTestId("run-progress")).toHaveText("3 / 3 items", { timeout: 60_000 });
  const run = await finishedRun(server, openRunId(page), key.key);
  await expectMetricsLikeTheApi(page, run);
  await expect(page.getByTestId("runs-table").locator("tbody tr")).toHaveCount(1);
});
