import { nativeBuild } from "../../src/runtime/native/index.js";
import { loadConfig } from "../../src/config/index.js";

type Engine = "auto" | "native" | "node-llama-cpp";

/** The engine test servers use: AIPLUS_ENGINE (vitest.config.ts sets it from AIPLUS_TEST_ENGINE), else node-llama-cpp. */
export function testEngine(): Engine {
  const value = process.env.AIPLUS_ENGINE;
  return value === "auto" || value === "native" ? value : "node-llama-cpp";
}

/**
 * Makes this test file's servers use the native engine. The native build must be there: without it this throws
 * (the file fails, never skips), naming the command that builds it.
 */
export function useNativeEngine(): void {
  const build = nativeBuild(loadConfig({ environment: { AIPLUS_NATIVE_DIR: process.env.AIPLUS_NATIVE_DIR }, warn: () => undefined }).nativeDir);
  if (!build.built) {
    throw new Error(`these tests need the native engine, and ${build.serverPath} is missing: run \`scripts/build-native.sh\` (or \`aiplus engine build\`) first`);
  }
  process.env.AIPLUS_ENGINE = "native";
}
