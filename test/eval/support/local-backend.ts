import path from "node:path";
import { createRuntime, inspectGguf, type RegisteredModel, type Runtime } from "../../../src/runtime/index.js";
import { testModelPath, type TestModelFile } from "../../support/test-models.js";

/** A 1-thread CPU runtime for eval tests (no idle unload, so nothing keeps the process alive). */
export function createTestRuntime(options: { sequences?: number } = {}): Runtime {
  return createRuntime({ gpu: "cpu", threads: 1, sequences: options.sequences ?? 2, idleUnloadSeconds: 0 });
}

/** A RegisteredModel for a test model file, named after the file. */
export async function registeredEvalModel(file: TestModelFile): Promise<RegisteredModel> {
  const modelPath = await testModelPath(file);
  const metadata = await inspectGguf(modelPath);
  return { name: path.basename(file, ".gguf"), path: modelPath, kind: metadata.kind, metadata };
}
