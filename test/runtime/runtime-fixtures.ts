import path from "node:path";
import { inspectGguf, type RegisteredModel } from "../../src/runtime/index.js";
import type { LanguageModelStreamPart } from "../../src/spec/index.js";
import { testModelPath, type TestModelFile } from "../support/test-models.js";

/** A RegisteredModel for a test model file, named after the file. */
export async function registeredTestModel(file: TestModelFile): Promise<RegisteredModel> {
  const modelPath = await testModelPath(file);
  const metadata = await inspectGguf(modelPath);
  return { name: path.basename(file, ".gguf"), path: modelPath, kind: metadata.kind, metadata };
}

/** Everything a stream produced, with the concatenated text and the final part. */
export type CollectedStream = {
  parts: LanguageModelStreamPart[];
  text: string;
  finish: Extract<LanguageModelStreamPart, { type: "finish" }> | undefined;
};

export async function collect(stream: ReadableStream<LanguageModelStreamPart>): Promise<CollectedStream> {
  const parts: LanguageModelStreamPart[] = [];
  const reader = stream.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) parts.push(next.value);
  const text = parts.map((part) => (part.type === "text-delta" ? part.delta : "")).join("");
  const finish = parts.find((part): part is Extract<LanguageModelStreamPart, { type: "finish" }> => part.type === "finish");
  return { parts, text, finish };
}
