import {
  GgufInsights,
  readGgufFileInfo,
  resolveChatWrapper,
  type ChatWrapper,
  type Llama,
  type LlamaContext,
  type LlamaEmbeddingContext,
  type LlamaModel,
  type Token,
} from "node-llama-cpp";
import type { RegisteredModel } from "./types.js";
import { LockstepDispatch } from "./lockstep-dispatch.js";
import { SequenceScheduler } from "./sequence-scheduler.js";
import { AsyncLock } from "./async-lock.js";

/** How one model is loaded: threads, sequences and context size per sequence. */
export type LoadSettings = {
  threads: number;
  sequences: number;
  /** Per sequence; undefined: min(training context, 4096). */
  contextSize: number | undefined;
  maxQueue: number;
  onActivity: () => void;
};

const defaultMaximumContextSize = 4096;

function contextSizeFor(trainContextSize: number | undefined, configured: number | undefined): number {
  const trained = trainContextSize ?? defaultMaximumContextSize;
  return configured === undefined ? Math.min(trained, defaultMaximumContextSize) : configured;
}

/** Bytes the model plus its context will take, from node-llama-cpp's estimates (RAM and VRAM summed). */
export async function estimateMemoryBytes(llama: Llama | undefined, registered: RegisteredModel, settings: Pick<LoadSettings, "sequences" | "contextSize">): Promise<number> {
  // Without the binding (a helper process's memory): the same estimate, all of it in RAM.
  const insights = await GgufInsights.from(await readGgufFileInfo(registered.path, { logWarnings: false }), llama);
  const gpuLayers = llama === undefined || llama.gpu === false ? 0 : insights.totalLayers;
  const embedding = registered.kind === "embedding";
  const model = insights.estimateModelResourceRequirements({ gpuLayers });
  const context = insights.estimateContextResourceRequirements({
    contextSize: contextSizeFor(insights.trainContextSize, settings.contextSize),
    sequences: embedding ? 1 : settings.sequences,
    modelGpuLayers: gpuLayers,
    isEmbeddingContext: embedding,
  });
  return Math.ceil(model.cpuRam + model.gpuVram + context.cpuRam + context.gpuVram);
}

/** A loaded causal LM: one context whose sequences are shared by the scheduler. */
export class LoadedLanguageModel {
  readonly kind = "llm";

  private constructor(
    readonly model: LlamaModel,
    readonly context: LlamaContext,
    readonly scheduler: SequenceScheduler,
    readonly chatWrapper: ChatWrapper,
    readonly memoryBytes: number,
  ) {}

  static async create(llama: Llama, registered: RegisteredModel, settings: LoadSettings, memoryBytes: number): Promise<LoadedLanguageModel> {
    const model = await llama.loadModel({ modelPath: registered.path });
    try {
      const dispatch = new LockstepDispatch();
      const context = await model.createContext({
        sequences: settings.sequences,
        contextSize: contextSizeFor(model.trainContextSize, settings.contextSize),
        threads: settings.threads,
        batching: { dispatchSchedule: dispatch.schedule },
        failedCreationRemedy: false,
      });
      dispatch.attach(context);
      const sequences = Array.from({ length: settings.sequences }, () => context.getSequence());
      const scheduler = new SequenceScheduler(sequences, { maxQueue: settings.maxQueue, dispatch, onActivity: settings.onActivity });
      return new LoadedLanguageModel(model, context, scheduler, resolveChatWrapper(model), memoryBytes);
    } catch (error) {
      await model.dispose();
      throw error;
    }
  }

  get busy(): boolean {
    return this.scheduler.busy;
  }

  /** Tokens per sequence. */
  get contextSize(): number {
    return this.context.contextSize;
  }

  async dispose(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
  }
}

/** Texts whose tokens an embedding model remembers (a few ingestion batches' worth). */
const recentTokensCapacity = 4096;

/** A loaded embedding model: one embedding context, inputs embedded one at a time. */
export class LoadedEmbeddingModel {
  readonly kind = "embedding";
  /** Serialises embedding calls (the context has one sequence). */
  readonly lock = new AsyncLock();
  private pending = 0;
  /**
   * Recently tokenized texts. Ingestion counts a chunk's tokens (to size it) and then embeds that same text: the
   * embedding reuses the tokens instead of tokenizing again. Bounded; oldest entries leave first.
   */
  private readonly recentTokens = new Map<string, Token[]>();

  private constructor(
    readonly model: LlamaModel,
    readonly context: LlamaEmbeddingContext,
    /** Usable tokens per input (an input must be shorter). */
    readonly contextSize: number,
    readonly memoryBytes: number,
  ) {}

  static async create(llama: Llama, registered: RegisteredModel, settings: LoadSettings, memoryBytes: number): Promise<LoadedEmbeddingModel> {
    const model = await llama.loadModel({ modelPath: registered.path });
    try {
      // An encoder's learned position table ends at its trained context: a longer input would abort the process in
      // ggml (GGML_ASSERT in get_rows), so a larger configured context is capped there (inputs beyond are refused).
      const configured = contextSizeFor(model.trainContextSize, settings.contextSize);
      const contextSize = model.trainContextSize === undefined ? configured : Math.min(configured, model.trainContextSize);
      const context = await model.createEmbeddingContext({ contextSize, threads: settings.threads });
      return new LoadedEmbeddingModel(model, context, contextSize, memoryBytes);
    } catch (error) {
      await model.dispose();
      throw error;
    }
  }

  get busy(): boolean {
    return this.pending > 0;
  }

  /** The model's tokens of `text` (no BOS/EOS), from the recent-texts cache when it was tokenized lately. */
  tokenize(text: string): Token[] {
    const cached = this.recentTokens.get(text);
    if (cached) return cached;
    const tokens = this.model.tokenize(text);
    if (this.recentTokens.size >= recentTokensCapacity) {
      const oldest = this.recentTokens.keys().next();
      if (!oldest.done) this.recentTokens.delete(oldest.value);
    }
    this.recentTokens.set(text, tokens);
    return tokens;
  }

  /** Runs `work` exclusively, marking the model busy meanwhile. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    this.pending++;
    try {
      return await this.lock.run(work);
    } finally {
      this.pending--;
    }
  }

  async dispose(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
  }
}

export type LoadedModel = LoadedLanguageModel | LoadedEmbeddingModel;
