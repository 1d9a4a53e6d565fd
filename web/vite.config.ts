import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** The console is served by `aiplus serve` under `/console/` from `web/dist` (see src/api/console). */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/console/",
  plugins: [react()],
  build: {
    // AIPLUS_CONSOLE_OUT: build elsewhere (an absolute path), e.g. to test a build without touching web/dist.
    outDir: process.env.AIPLUS_CONSOLE_OUT ?? "dist",
    emptyOutDir: true,
    // Pages are split by route (lazy imports); the entry holds the shell, router, query client and Mantine core.
    chunkSizeWarningLimit: 900,
  },
  // `npm run dev:console` proxies the API to a running `aiplus serve` (same origin for the session cookie).
  server: { proxy: { "/v1": process.env.AIPLUS_URL ?? "http://127.0.0.1:8787" } },
});
