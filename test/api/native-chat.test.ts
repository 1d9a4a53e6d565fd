/**
 * The same suite as ./chat.test.ts on the native engine (managed llama-server workers): behaviour must be identical.
 * Fails (never skips) when the native build is missing.
 */
import { useNativeEngine } from "../support/engine.js";

useNativeEngine();
await import("./chat.test.js");
