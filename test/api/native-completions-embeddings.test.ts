/**
 * The same suite as ./completions-embeddings.test.ts on the native engine (managed llama-server workers): behaviour must be identical.
 * Fails (never skips) when the native build is missing.
 */
import { useNativeEngine } from "../support/engine.js";

useNativeEngine();
await import("./completions-embeddings.test.js");
