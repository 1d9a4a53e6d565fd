import { modalitiesOf } from "../../runtime/modalities.js";
import type { RuntimeStats } from "../../runtime/types.js";
import type { RegisteredModelEntry } from "../../store/index.js";
import { unixSeconds } from "./admin-fields.js";

/** The loaded state of a model in the pool (by its registered name). */
export type LoadedState = RuntimeStats["loaded"][number] | undefined;

export function loadedStateOf(stats: RuntimeStats, name: string): LoadedState {
  return stats.loaded.find((loaded) => loaded.name === name);
}

/** A registered model as `/v1/admin/models` shows it: the registry entry, its GGUF facts and whether it is loaded. */
export function toModelView(model: RegisteredModelEntry, loaded: LoadedState) {
  const { metadata } = model;
  return {
    id: model.name,
    object: "model",
    name: model.name,
    path: model.path,
    kind: model.kind,
    architecture: metadata.architecture,
    parameter_count: metadata.parameterCount ?? null,
    quantization: metadata.quantization ?? null,
    context_length: metadata.contextLength ?? null,
    embedding_length: metadata.embeddingLength ?? null,
    expert_count: metadata.expertCount ?? null,
    expert_used_count: metadata.expertUsedCount ?? null,
    has_chat_template: metadata.hasChatTemplate,
    vocabulary_size: metadata.vocabularySize ?? null,
    file_size_bytes: metadata.fileSizeBytes,
    modalities: modalitiesOf(model),
    mmproj: metadata.projector
      ? { path: metadata.projector.path, projector_type: metadata.projector.projectorType ?? null, projection_dim: metadata.projector.projectionDim, file_size_bytes: metadata.projector.fileSizeBytes }
      : null,
    sha256: model.sha256 ?? null,
    loaded: loaded !== undefined,
    memory_bytes: loaded?.memoryBytes ?? null,
    active_sequences: loaded?.activeSequences ?? 0,
    last_used_at: loaded === undefined ? null : unixSeconds(loaded.lastUsedAt),
    created_at: unixSeconds(model.createdAt),
  };
}

export type ModelView = ReturnType<typeof toModelView>;

/** A registered model without the runtime's state: what a process that runs no models (the CLI) can tell. */
export function toRegisteredModelView(model: RegisteredModelEntry) {
  const { loaded: _loaded, memory_bytes: _memoryBytes, active_sequences: _activeSequences, last_used_at: _lastUsedAt, ...view } = toModelView(model, undefined);
  return view;
}
