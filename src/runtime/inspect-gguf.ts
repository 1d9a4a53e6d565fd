import fs from "node:fs/promises";
import { GgmlType, GgufFileType, GgufInsights, readGgufFileInfo, type GgufFileInfo } from "node-llama-cpp";
import { InvalidModelFileError } from "../spec/index.js";
import { scanGgufHeader, type GgufHeaderScan } from "./scan-gguf-header.js";
import type { ModelMetadata } from "./types.js";

const ggufMagic = "GGUF";
/** Encoder architectures that llama.cpp runs as embedding models. */
const embeddingArchitectures = new Set(["bert", "nomic-bert", "nomic-bert-moe", "jina-bert-v2", "jina-bert-v3", "neo-bert", "modern-bert", "t5encoder"]);
/** Multimodal projectors (vision/audio encoders, llama.cpp `mmproj` files): loaded beside a language model. */
const projectorArchitectures = new Set(["clip"]);
/** llama.cpp architectures that load but produce no text (the WavTokenizer audio decoder of TTS). */
const nonTextArchitectures = new Set(["wavtokenizer-dec"]);

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

export type ParsedGguf = { info: GgufFileInfo; insights: GgufInsights; fileSize: number };

/** Magic, header and size checks shared by {@link inspectGguf} and {@link checkGgufFile}. */
export async function readGgufFile(path: string): Promise<ParsedGguf> {
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
    // node-llama-cpp's parser fails on a cut header with errors like "Cannot read properties of undefined":
    // walk the header ourselves to say where the file ends.
    const scan = await scanGgufHeader(path).catch(() => undefined);
    if (scan && !scan.complete) throw truncatedHeader(path, scan);
    throw new InvalidModelFileError({ message: `${path} is not a readable GGUF file: ${(error as Error).message}`, code: "invalid_gguf", cause: error });
  }
  const expectedBytes = (info.infoEndOffset ?? 0) + insights.modelSize;
  if (stat.size < expectedBytes) {
    const tensors = info.tensorInfo?.length;
    throw new InvalidModelFileError({
      message: `${path} is a truncated GGUF: its header declares ${tensors ?? "its"} tensors (${expectedBytes} bytes in all) but the file ends at byte ${stat.size}`,
      code: "truncated_gguf",
    });
  }
  return { info, insights, fileSize: stat.size };
}

function truncatedHeader(path: string, scan: Extract<GgufHeaderScan, { complete: false }>): InvalidModelFileError {
  const declared =
    scan.tensorCount === undefined
      ? `the file ends at byte ${scan.fileSize}, inside the 24-byte fixed header`
      : `its header declares ${scan.tensorCount} tensors and ${scan.metadataCount} metadata entries but the file ends at byte ${scan.fileSize}, inside the ${scan.section}`;
  return new InvalidModelFileError({ message: `${path} is a truncated GGUF: ${declared}`, code: "truncated_gguf" });
}

/**
 * Why a GGUF cannot be served as a chat/completion or embedding model, or undefined when it can. llama.cpp loads
 * only files with a text tokenizer; a multimodal projector (`clip`) belongs beside its language model (`--mmproj`).
 */
function unloadableReason(path: string, architecture: string | undefined, tokenizerModel: unknown): string | undefined {
  if (architecture === undefined) return `${path} names no architecture (general.architecture); it is not a loadable model`;
  if (projectorArchitectures.has(architecture)) {
    return `${path} is a multimodal projector (architecture "${architecture}"), not a chat or embedding model; projectors are not registered as models: use it with its language model through --mmproj`;
  }
  if (nonTextArchitectures.has(architecture) || typeof tokenizerModel !== "string" || tokenizerModel === "none" || tokenizerModel === "no_vocab") {
    return `${path} has architecture "${architecture}" without a text tokenizer; only text generation and embedding models can be registered`;
  }
  return undefined;
}

/**
 * Checks that `path` is a complete, readable GGUF file (magic, header, size), whatever its architecture.
 * Throws InvalidModelFileError (`model_file_not_found`, `not_gguf`, `invalid_gguf`, `truncated_gguf`).
 */
export async function checkGgufFile(path: string): Promise<void> {
  await readGgufFile(path);
}

/**
 * Reads a GGUF header into {@link ModelMetadata}. Throws InvalidModelFileError for a missing file, a
 * file that is not GGUF, a truncated file (shorter than its header says), one that cannot be parsed, and
 * (`invalid_model_file`) one that is not a loadable text or embedding model, such as a vision projector.
 */
export async function inspectGguf(path: string): Promise<ModelMetadata> {
  const { info, insights, fileSize } = await readGgufFile(path);
  const declaredArchitecture = info.metadata.general?.architecture as string | undefined;
  const refusal = unloadableReason(path, declaredArchitecture, info.metadata.tokenizer?.ggml?.model);
  if (refusal !== undefined) throw new InvalidModelFileError({ message: refusal, code: "invalid_model_file" });
  const architecture = String(declaredArchitecture);
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
    fileSizeBytes: fileSize,
  };
}
