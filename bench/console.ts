/**
 * npm run bench:console
 * The console's budgets, measured on a fresh build in headless Chromium (Debian's, as in the e2e tests) against a real
 * `aiplus serve` with the tiny models:
 * - entry_kb_gz: the JavaScript the first page load needs before any page chunk — the entry script and the modules it
 *   preloads — gzip-compressed (level 9, as a server would send it). Budget ≤ 200 kB; pages are separate chunks.
 * - dashboard_ms: from navigation start until the dashboard shows today's figures and answers a click (the theme
 *   toggle), signed in, cold browser cache, median of 7 loads (budget ≤ 1000 ms). The reference, measured in the same
 *   run on the same server and browser: a static HTML page served from the same folder (the floor any page pays).
 * - stream_render_ok: see bench/console-stream.ts.
 * Last line: `console: entry_kb_gz=… dashboard_ms=… stream_render_ok=…`.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { type Browser, chromium } from "playwright-core";
import { startConsoleServer, testModelPath } from "../e2e/support/console-server.js";
import { measureStreamRendering } from "./console-stream.js";

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const loads = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The entry script and every module it preloads, from the built index.html. */
function entryScripts(directory: string): string[] {
  const html = fs.readFileSync(path.join(directory, "index.html"), "utf8");
  const sources = [...html.matchAll(/<script[^>]+src="\/console\/([^"]+\.js)"/g), ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/console\/([^"]+\.js)"/g)].map((match) => match[1]!);
  return [...new Set(sources)].map((source) => path.join(directory, source));
}

function gzipKilobytes(files: string[]): number {
  return files.reduce((total, file) => total + gzipSync(fs.readFileSync(file), { level: 9 }).length, 0) / 1000;
}

async function sessionCookie(url: string, key: string): Promise<{ name: string; value: string; url: string }> {
  const response = await fetch(new URL("/v1/console/session", url), {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({ api_key: key }),
  });
  if (!response.ok) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  const value = /aiplus_session=([^;]+)/.exec(response.headers.get("set-cookie") ?? "")?.[1];
  if (!value) throw new Error("sign-in answered without a session cookie");
  return { name: "aiplus_session", value, url };
}

/** Milliseconds from navigation start until `ready` resolves in a fresh (cold-cache) context. */
async function timeLoad(browser: Browser, cookie: { name: string; value: string; url: string }, url: string, ready: (page: import("playwright-core").Page) => Promise<void>): Promise<number> {
  const context = await browser.newContext();
  await context.addCookies([cookie]);
  const page = await context.newPage();
  await page.goto(url, { waitUntil: "commit" });
  await ready(page);
  const elapsed = await page.evaluate(() => performance.now());
  await context.close();
  return elapsed;
}

async function main() {
  const output = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-console-bench-"));
  execFileSync(process.execPath, [path.join(repositoryRoot, "node_modules/vite/bin/vite.js"), "build", "--config", path.join(repositoryRoot, "web/vite.config.ts"), "--logLevel", "warn"], {
    env: { ...process.env, AIPLUS_CONSOLE_OUT: output },
    stdio: "inherit",
  });
  fs.writeFileSync(path.join(output, "reference.html"), "<!doctype html><html lang=en><head><meta charset=utf-8><title>reference</title></head><body><h1 id=ready>ready</h1></body></html>");
  const entry = entryScripts(output);
  const entryKilobytes = gzipKilobytes(entry);
  const allScripts = fs.readdirSync(path.join(output, "assets")).filter((file) => file.endsWith(".js"));
  const largestChunk = allScripts
    .map((file) => ({ file, kilobytes: gzipKilobytes([path.join(output, "assets", file)]) }))
    .sort((a, b) => b.kilobytes - a.kilobytes)[0];
  console.log(`entry: ${entry.map((file) => path.basename(file)).join(", ")} = ${entryKilobytes.toFixed(1)} kB gzip; ${allScripts.length} chunks, largest ${largestChunk?.file} ${largestChunk?.kilobytes.toFixed(1)} kB gzip`);

  const server = await startConsoleServer({ AIPLUS_CONSOLE_DIR: output });
  const browser = await chromium.launch({
    executablePath: process.env.AIPLUS_CHROMIUM ?? "/usr/bin/chromium",
    args: ["--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    await server.request("POST", "/v1/admin/models", { path: testModelPath("stories260K.gguf"), name: "stories" });
    const cookie = await sessionCookie(server.url, server.adminKey);
    const dashboardReady = async (page: import("playwright-core").Page) => {
      await page.getByTestId("Today-requests").waitFor();
      const toggle = page.getByRole("button", { name: /Switch to the (dark|light) theme/ });
      await toggle.click();
    };
    const referenceReady = async (page: import("playwright-core").Page) => {
      await page.locator("#ready").waitFor();
    };
    // One warm-up load of each (the server's first file reads, Chromium's first process).
    await timeLoad(browser, cookie, `${server.url}/console/`, dashboardReady);
    await timeLoad(browser, cookie, `${server.url}/console/reference.html`, referenceReady);
    const dashboard: number[] = [];
    const reference: number[] = [];
    for (let index = 0; index < loads; index += 1) {
      dashboard.push(await timeLoad(browser, cookie, `${server.url}/console/`, dashboardReady));
      reference.push(await timeLoad(browser, cookie, `${server.url}/console/reference.html`, referenceReady));
    }
    const dashboardMs = median(dashboard);
    const referenceMs = median(reference);
    console.log(`dashboard interactive (cold cache, median of ${loads}): ${dashboardMs.toFixed(0)} ms; static reference page ${referenceMs.toFixed(0)} ms; ratio ${(dashboardMs / referenceMs).toFixed(1)}x`);

    const stream = await measureStreamRendering({ browser, cookie, server });
    console.log(stream.summary);
    console.log(`console: entry_kb_gz=${entryKilobytes.toFixed(1)} dashboard_ms=${dashboardMs.toFixed(0)} stream_render_ok=${stream.ok ? 1 : 0}`);
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(output, { recursive: true, force: true });
  }
}

await main();
