import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    // Real llama.cpp engines on a 2-core machine: one test file at a time, in its own process.
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default"],
    // The local engine of every server a test starts (in this process or spawned): node-llama-cpp unless
    // AIPLUS_TEST_ENGINE=native (the native build must be there) or auto. Files that test the native engine set it
    // themselves (test/support/engine.ts).
    env: { AIPLUS_ENGINE: process.env.AIPLUS_TEST_ENGINE ?? "node-llama-cpp" },
  },
});
