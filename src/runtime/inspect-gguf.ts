import fs from "node:fs/promises";
import { GgmlType, GgufFileType, GgufInsights, readGgufFileInfo, type GgufFileInfo } from "node-llama-cpp";
import { InvalidModelFileError } from "../spec/index.js";
import type { ModelMetadata } from "./types.js";

const ggufMagic = "GGUF";
/** Encoder architectures that llama.cpp runs as embedding models. */
const embeddingArchitectures = new Set(["bert", "nomic-bert", "nomic-bert-moe", "jina-bert-v2", "jina-bert-v3", "neo-bert", "modern-bert", "t5encoder"]);

async function readMagic(path: string): Promise<string> {
  const handle = await fs.open(path, "r");
  try {
    const buffer = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buffer, 0, 4, 0);
    return buffer.subarray(0, bytesRead).toString("latin1");
  } finally {
    await handle.close();
  }
}

/** `MOSTLY_Q4_K_M` → `Q4_K_M`; falls back to the dominant tensor type when general.file_type is absent. */
function quantizationName(info: GgufFileInfo, insights: GgufInsights): string | undefined {
  const fileType = info.metadata.general?.file_type;
  if (fileType !== undefined && GgufFileType[fileType] !== undefined) {
    return GgufFileType[fileType].replace(/^(MOSTLY|ALL)_/, "");
  }
  const dominant = insights.dominantTensorType;
  return dominant === undefined ? undefined : GgmlType[dominant];
}

function isEmbeddingModel(architecture: string, architectureMetadata: Record<string, unknown>): boolean {
  if (embeddingArchitectures.has(architecture)) return true;
  const attention = architectureMetadata.attention as { causal?: boolean } | undefined;
  const poolingType = architectureMetadata.pooling_type;
  return typeof poolingType === "number" && poolingType > 0 && attention?.causal === false;
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === "number" || typeof value === "bigint" ? Number(value) : undefined;
}

/**
 * Reads a GGUF header into {@link ModelMetadata}. Throws InvalidModelFileError for a missing file, a
 * file that is not GGUF, a truncated file (shorter than its header says) or one that cannot be parsed.
 */
export async function inspectGguf(path: string): Promise<ModelMetadata> {
  const stat = await fs.stat(path).catch(() => undefined);
  if (!stat?.isFile()) throw new InvalidModelFileError({ message: `model file not found: ${path}`, code: "model_file_not_found" });
  const magic = await readMagic(path);
  if (magic !== ggufMagic) {
    throw new InvalidModelFileError({ message: `${path} is not a GGUF file (bad magic ${JSON.stringify(magic)})`, code: "not_gguf" });
  }
  let info: GgufFileInfo;
  let insights: GgufInsights;
  try {
    info = await readGgufFileInfo(path, { sourceType: "filesystem", logWarnings: false });
    insights = await GgufInsights.from(info);
  } catch (error) {
    throw new InvalidModelFileError({ message: `${path} is not a readable GGUF file: ${(error as Error).message}`, code: "invalid_gguf", cause: error });
  }
  const expectedBytes = (info.infoEndOffset ?? 0) + insights.modelSize;
  if (stat.size < expectedBytes) {
    throw new InvalidModelFileError({
      message: `${path} is truncated: ${stat.size} bytes, but its header describes ${expectedBytes} bytes`,
      code: "truncated_gguf",
    });
  }
  const architecture = String(info.metadata.general?.architecture ?? "unknown");
  const architectureMetadata = (info.architectureMetadata ?? {}) as Record<string, unknown>;
  const tokens = info.metadata.tokenizer?.ggml?.tokens as unknown[] | undefined;
  return {
    architecture,
    kind: isEmbeddingModel(architecture, architectureMetadata) ? "embedding" : "llm",
    parameterCount: insights.totalParameters || undefined,
    quantization: quantizationName(info, insights),
    contextLength: insights.trainContextSize,
    embeddingLength: insights.embeddingVectorSize,
    expertCount: optionalNumber(architectureMetadata.expert_count),
    expertUsedCount: optionalNumber(architectureMetadata.expert_used_count),
    hasChatTemplate: typeof info.metadata.tokenizer?.chat_template === "string",
    vocabularySize: optionalNumber(architectureMetadata.vocab_size) ?? tokens?.length,
    fileSizeBytes: stat.size,
  };
}
