import type { RegisteredModel } from "./types.js";

/** What a model takes in and gives out (`models show`, `GET /v1/models/{id}`). */
export type Modalities = { input: string[]; output: string[] };

/**
 * Text → text for language models (text and image in when a projector is registered with it), text → embedding for
 * encoders.
 */
export function modalitiesOf(model: Pick<RegisteredModel, "kind" | "metadata">): Modalities {
  switch (model.kind) {
    case "llm":
      return { input: model.metadata.projector ? ["text", "image"] : ["text"], output: ["text"] };
    case "embedding":
      return { input: ["text"], output: ["embedding"] };
    default:
      return model.kind satisfies never;
  }
}
