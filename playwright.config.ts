import { defineConfig } from "@playwright/test";

/**
 * Console end-to-end tests: a real `aiplus serve` (e2e/support) and Debian's Chromium (`npx playwright install`
 * cannot download here). As root Playwright adds `--no-sandbox` itself.
 */
export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  workers: 1,
  fullyParallel: false,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  reporter: [["list"]],
  use: {
    browserName: "chromium",
    launchOptions: {
      executablePath: process.env.AIPLUS_CHROMIUM ?? "/usr/bin/chromium",
      args: ["--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
    trace: "off",
    screenshot: "off",
    video: "off",
  },
});
