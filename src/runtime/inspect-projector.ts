import { InvalidModelFileError } from "../spec/index.js";
import { readGgufFile } from "./inspect-gguf.js";
import type { ModelMetadata, ProjectorMetadata } from "./types.js";

/** The `clip.*` keys of a llama.cpp multimodal projector (mmproj) that aiplus reads. */
type ClipMetadata = {
  has_vision_encoder?: boolean;
  projector_type?: string;
  vision?: { projection_dim?: number; image_size?: number; patch_size?: number };
};

function projectorError(message: string, code: string): InvalidModelFileError {
  return new InvalidModelFileError({ message: `mmproj: ${message}`, code, param: "mmproj" });
}

/**
 * Reads a multimodal projector (llama.cpp `mmproj` GGUF) for the language model `model` and checks that the two fit:
 * the file is a complete GGUF of architecture `clip` with a vision encoder, and its `clip.vision.projection_dim` (the
 * size of the embeddings it feeds the model) equals the model's `n_embd`. Throws InvalidModelFileError with param
 * `mmproj` (`model_file_not_found`, `not_gguf`, `invalid_gguf`, `truncated_gguf`, `not_a_projector`,
 * `projector_mismatch`).
 */
export async function inspectProjector(projectorPath: string, model: ModelMetadata): Promise<ProjectorMetadata> {
  const { info, fileSize } = await readGgufFile(projectorPath).catch((error: unknown) => {
    if (error instanceof InvalidModelFileError) throw projectorError(error.message, error.code ?? "invalid_gguf");
    throw error;
  });
  if (model.kind !== "llm") {
    throw projectorError(`a projector pairs with a language model; this model is an ${model.kind} model (${model.architecture})`, "projector_mismatch");
  }
  const architecture = info.metadata.general?.architecture as string | undefined;
  const clip = (info.metadata as { clip?: ClipMetadata }).clip;
  if (architecture !== "clip" || clip === undefined) {
    throw projectorError(`${projectorPath} is not a multimodal projector: its architecture is ${JSON.stringify(architecture ?? null)}, not "clip"`, "not_a_projector");
  }
  if (clip.has_vision_encoder !== true || clip.vision === undefined) {
    throw projectorError(`${projectorPath} has no vision encoder (clip.has_vision_encoder); only image projectors are supported`, "not_a_projector");
  }
  const projectionDim = Number(clip.vision.projection_dim ?? Number.NaN);
  if (!Number.isFinite(projectionDim)) {
    throw projectorError(`${projectorPath} names no clip.vision.projection_dim; it cannot be matched with a model`, "not_a_projector");
  }
  if (model.embeddingLength === undefined || projectionDim !== model.embeddingLength) {
    throw projectorError(
      `the projector ${projectorPath} does not match the model: its clip.vision.projection_dim is ${projectionDim}, the model's embedding length (n_embd) is ${model.embeddingLength ?? "unknown"}`,
      "projector_mismatch",
    );
  }
  return {
    path: projectorPath,
    projectorType: typeof clip.projector_type === "string" ? clip.projector_type : undefined,
    projectionDim,
    imageSize: clip.vision.image_size === undefined ? undefined : Number(clip.vision.image_size),
    patchSize: clip.vision.patch_size === undefined ? undefined : Number(clip.vision.patch_size),
    fileSizeBytes: fileSize,
  };
}
