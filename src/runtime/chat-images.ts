import { InvalidRequestError, type LanguageModelCallOptions } from "../spec/index.js";
import type { ProjectorMetadata } from "./types.js";

/** The param (`messages[i].content[j]`) of the first image of a chat call, or undefined when it has none. */
export function firstImageParam(options: LanguageModelCallOptions): string | undefined {
  if (options.prompt.type !== "chat") return undefined;
  for (const message of options.prompt.messages) {
    if (message.role === "user" && message.images && message.images.length > 0) return message.images[0]!.param;
  }
  return undefined;
}

/** Throws 400 `model_not_multimodal` (naming the first image part) when the call holds an image. */
export function assertNoImages(options: LanguageModelCallOptions, modelName: string, reason: string): void {
  const param = firstImageParam(options);
  if (param === undefined) return;
  throw new InvalidRequestError({ message: `model ${modelName} cannot read images: ${reason}`, param, code: "model_not_multimodal" });
}

/** The images of a chat call. */
export function imageCount(options: Pick<LanguageModelCallOptions, "prompt">): number {
  if (options.prompt.type !== "chat") return 0;
  return options.prompt.messages.reduce((sum, message) => sum + (message.role === "user" ? (message.images?.length ?? 0) : 0), 0);
}

/** Projector types that resize every image to one square and make one token per patch (LLaVA-1.5 style). */
const patchPerTokenProjectors = new Set(["mlp", "mlp_norm"]);

/**
 * The tokens a projector makes of the call's images, known before the worker says: (image size / patch size)² per
 * image for LLaVA-style projectors (`mlp`, `mlp_norm`), which resize every image to that square; 0 for other projectors
 * (their count depends on the image: the worker's own context check then answers). Usage reports the worker's count.
 */
export function estimatedImageTokens(options: Pick<LanguageModelCallOptions, "prompt">, projector: ProjectorMetadata | undefined): number {
  const count = imageCount(options);
  if (count === 0 || !projector?.imageSize || !projector.patchSize || !patchPerTokenProjectors.has(projector.projectorType ?? "")) return 0;
  return count * Math.ceil(projector.imageSize / projector.patchSize) ** 2;
}
