import type { EmbeddingModel, LanguageModel } from "../spec/index.js";
import type { WorkerSnapshot } from "./native/llama-server-worker.js";
import type { EngineSelection } from "./native/native-build.js";

/** What `aiplus models show` prints; read from the GGUF header, stored as JSON in the registry. */
export type ModelMetadata = {
  architecture: string;
  /** `llm` for causal LMs, `embedding` for encoders with pooling (bert, nomic-bert, …). */
  kind: "llm" | "embedding";
  parameterCount: number | undefined;
  /** e.g. `F32`, `F16`, `Q4_K_M` (from general.file_type). */
  quantization: string | undefined;
  contextLength: number | undefined;
  embeddingLength: number | undefined;
  /** MoE only: experts per layer and experts used per token. */
  expertCount: number | undefined;
  expertUsedCount: number | undefined;
  hasChatTemplate: boolean;
  vocabularySize: number | undefined;
  fileSizeBytes: number;
  /** The multimodal projector (`models add --mmproj`) that lets the model read images (native engine only). */
  projector?: ProjectorMetadata | undefined;
};

/** A multimodal projector (llama.cpp `mmproj` GGUF, architecture `clip`) registered with its language model. */
export type ProjectorMetadata = {
  /** Absolute path of the projector file. */
  path: string;
  /** `clip.projector_type`, e.g. `mlp` (LLaVA-1.5). */
  projectorType: string | undefined;
  /** `clip.vision.projection_dim`: equals the model's embedding length. */
  projectionDim: number;
  imageSize: number | undefined;
  patchSize: number | undefined;
  fileSizeBytes: number;
};

/** A model as the registry stores it. */
export type RegisteredModel = {
  name: string;
  path: string;
  kind: "llm" | "embedding";
  metadata: ModelMetadata;
};

/** Live state of the pool, for `/admin/runtime` and tests. */
export type RuntimeStats = {
  loaded: {
    name: string;
    /** Which engine holds it: in-process node-llama-cpp, or a llama-server worker (native). */
    engine: "node-llama-cpp" | "native";
    memoryBytes: number;
    activeSequences: number;
    queued: number;
    lastUsedAt: number;
    /** The worker process of a native entry. */
    worker?: WorkerSnapshot | undefined;
  }[];
  memoryBudgetBytes: number;
  /** Memory of helper processes counted in the budget (the native scorer's, one per model in use). */
  heldBytes?: number | undefined;
  /** The active engine and why (`aiplus engine status`). */
  engine?: EngineSelection | undefined;
};

/** The local llama.cpp engine: a pool of loaded models and their schedulers. */
export interface Runtime {
  /** A LanguageModel over a registered GGUF; loads lazily on first call. */
  languageModel(model: RegisteredModel): LanguageModel;
  /** An EmbeddingModel over a registered GGUF; loads lazily on first call. */
  embeddingModel(model: RegisteredModel): EmbeddingModel;
  stats(): RuntimeStats;
  /**
   * Prompt scoring (log-likelihood evaluation) over a registered causal LM, through the same pool (memory
   * budget, LRU) and scheduler (each call holds one sequence). Optional: runtimes without it cannot score.
   */
  promptScorer?(model: RegisteredModel): PromptScorer;
  /** The tokenizer of a registered embedding model (chunk sizes in its own tokens). Optional. */
  embeddingTokenizer?(model: RegisteredModel): EmbeddingTokenizer;
  /** A reranker over a registered GGUF with a ranking head (node-llama-cpp ranking context). Optional. */
  rankingModel?(model: RegisteredModel): RankingModel;
  /** Loads a registered model now (instead of on its first call); it then unloads like any other (idle, LRU). */
  load(model: RegisteredModel): Promise<void>;
  /** Unloads one model now (e.g. after `models rm`). */
  unload(name: string): Promise<void>;
  dispose(): Promise<void>;
}

/** Score `tokens[from..]`, each given all tokens before it (`from` ≥ 1). */
export type PromptScoreRequest = { tokens: readonly number[]; from: number };

/**
 * Prompt log-probabilities from a local model (evaluation harness). Structurally a `LoglikelihoodBackend`
 * of src/eval. Log-probabilities come from the full-vocabulary next-token distribution (no sampler settings).
 */
export interface PromptScorer {
  /** e.g. `local:stories260K`. */
  readonly description: string;
  /** lm-eval `prefix_token_id`: BOS, else EOS; undefined until the model was loaded once. */
  readonly prefixTokenId: number | undefined;
  /** Text to token ids; `addBos` adds BOS only when the GGUF asks for it (llama.cpp `add_special`). */
  tokenize(text: string, options: { addBos: boolean }): Promise<number[]>;
  /**
   * `result[r][j]` = natural-log P(`tokens[from + j]` | `tokens[0 .. from + j - 1]`). The requests of one
   * call are evaluated on one sequence: their common prefix is decoded once, then each continuation.
   */
  scoreTokens(requests: readonly PromptScoreRequest[], options?: { signal?: AbortSignal | undefined }): Promise<number[][]>;
  /**
   * How many calls in flight this scorer batches best (their groups share its decodes); undefined: one at a time
   * (the in-process engine, whose results change slightly with the batch's composition).
   */
  readonly callsInFlight?: number | undefined;
}

/** Token counting with an embedding model's own tokenizer. */
export interface EmbeddingTokenizer {
  /** Tokens of `text` without special tokens. */
  countTokens(text: string): Promise<number>;
  /** Tokens one input may hold (inputs must be shorter). */
  contextSize(): Promise<number>;
}

/** Options of {@link RankingModel.rank}. */
export type RankingOptions = {
  abortSignal?: AbortSignal | undefined;
  /** Called once after a successful call with the tokens evaluated (query + document pairs; unknown: undefined). */
  onUsage?: ((usage: { inputTokens: number | undefined }) => void) | undefined;
};

/** Scores documents against a query (relevance probability in [0, 1], one per document, same order). */
export interface RankingModel {
  rank(query: string, documents: string[], options?: RankingOptions): Promise<number[]>;
  /** Whether the model can rank at all (has a ranking head); cheap, loads nothing. Absent: assume it can. */
  canRank?(): Promise<boolean>;
}
