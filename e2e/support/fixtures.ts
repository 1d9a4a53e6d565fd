import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type Page } from "@playwright/test";
import { type ConsoleServer, startConsoleServer, testModelPath } from "./console-server.js";

export { expect };

/** Models every console test may use: a chat model (`stories`), a second one (`tiny`) and an embedder (`bert`). */
export const chatModel = "stories";
export const secondChatModel = "tiny";
export const embeddingModel = "bert";

type WorkerFixtures = { server: ConsoleServer };
type TestFixtures = {
  /** Problems seen on the page (console errors, uncaught exceptions, failed or 5xx requests); checked after each test. */
  pageProblems: string[];
  /** URL patterns (and `net::ERR_ABORTED` of them) a test expects to fail, e.g. a stream it aborts on purpose. */
  allowFailure: (pattern: RegExp) => void;
  /** Signs in through the form with `key` (default: the admin key) and waits for the dashboard shell. */
  signIn: (key?: string, path?: string) => Promise<void>;
  /** Runs axe on the page: no serious or critical violations. */
  expectAccessible: (page?: Page) => Promise<void>;
};

export const test = base.extend<TestFixtures, WorkerFixtures>({
  server: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern: none.
    async ({}, use) => {
      const server = await startConsoleServer();
      await server.request("POST", "/v1/admin/models", { path: testModelPath("stories260K.gguf"), name: chatModel });
      await server.request("POST", "/v1/admin/models", { path: testModelPath("llama-2-tiny-random.gguf"), name: secondChatModel });
      await server.request("POST", "/v1/admin/models", { path: testModelPath("tiny-bert-random.gguf"), name: embeddingModel });
      await use(server);
      await server.stop();
    },
    { scope: "worker", timeout: 120_000 },
  ],

  baseURL: async ({ server }, use) => use(server.url),

  pageProblems: [
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- named so that Playwright sets up the page first.
    async ({ page }, use) => {
      const problems: string[] = [];
      await use(problems);
      expect(problems, "console errors or failed requests on the page").toEqual([]);
    },
    { auto: false },
  ],

  allowFailure: [async ({ page, pageProblems }, use) => {
    const allowed: RegExp[] = [
      // Signed out, the console asks for its session and is told there is none.
      /\/v1\/console\/session/,
    ];
    const isAllowed = (text: string) => allowed.some((pattern) => pattern.test(text));
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      const location = message.location().url;
      const text = `${message.text()} ${location}`;
      // Chromium logs every 4xx answer as "Failed to load resource"; the request itself is checked below.
      if (/Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) return;
      if (!isAllowed(text)) pageProblems.push(`console error: ${text}`);
    });
    page.on("pageerror", (error) => pageProblems.push(`uncaught: ${error.message}`));
    page.on("requestfailed", (request) => {
      const text = `${request.method()} ${request.url()} ${request.failure()?.errorText ?? ""}`;
      if (!isAllowed(text)) pageProblems.push(`request failed: ${text}`);
    });
    page.on("response", (response) => {
      if (response.status() >= 500 && !isAllowed(response.url())) pageProblems.push(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
    });
    await use((pattern) => allowed.push(pattern));
  }, { auto: true }],

  signIn: async ({ page, server }, use) => {
    await use(async (key = server.adminKey, path = "/console/") => {
      await page.goto(path);
      await page.getByLabel("API key").fill(key);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
    });
  },

  expectAccessible: async ({ page }, use) => {
    await use(async (target = page) => {
      const results = await new AxeBuilder({ page: target }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
      const serious = results.violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
      expect(serious.map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(" ")).join(", ")})`)).toEqual([]);
    });
  },
});

