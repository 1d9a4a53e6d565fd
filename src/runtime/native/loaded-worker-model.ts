import { resolveChatWrapper, type ChatWrapper, type Llama, type LlamaModel, type Token } from "node-llama-cpp";
import type { RuntimeLogger } from "../runtime-options.js";
import type { RegisteredModel } from "../types.js";
import { LlamaServerWorker } from "./llama-server-worker.js";

/** Settings of a worker model: what the pool resolved plus the native build. */
export type WorkerLoadSettings = {
  serverPath: string;
  /** Layers the worker offloads to the GPU (a GPU build, unless AIPLUS_GPU=cpu). */
  gpuLayers: number;
  threads: number;
  sequences: number;
  /** Per sequence; undefined: min(training context, 4096). */
  contextSize: number | undefined;
  maxQueue: number;
  logger: RuntimeLogger;
};

const defaultMaximumContextSize = 4096;

/**
 * A model served by a managed llama-server worker. Tokenization and the chat template run in-process on the model's
 * vocabulary only (node-llama-cpp `vocabOnly`: no weights), so prompts are the same tokens as on the in-process engine;
 * the worker gets token ids and GBNF grammars and does the decoding.
 */
export class LoadedWorkerModel {
  readonly kind = "worker";

  private constructor(
    readonly registered: RegisteredModel,
    readonly worker: LlamaServerWorker,
    /** The vocabulary (tokenizer, special tokens): no weights. */
    readonly model: LlamaModel,
    readonly chatWrapper: ChatWrapper,
    /** Tokens per slot. */
    readonly contextSize: number,
    /** Requests that may wait for a slot. */
    readonly maxQueue: number,
    readonly memoryBytes: number,
  ) {}

  static async create(llama: Llama, registered: RegisteredModel, settings: WorkerLoadSettings, memoryBytes: number): Promise<LoadedWorkerModel> {
    const model = await llama.loadModel({ modelPath: registered.path, vocabOnly: true });
    try {
      // A vocabulary-only model knows no training context: the GGUF header's (registry metadata) is used.
      const trained = registered.metadata.contextLength || undefined;
      const configured = settings.contextSize ?? Math.min(trained ?? defaultMaximumContextSize, defaultMaximumContextSize);
      // llama-server caps a slot at the training context: so does the pool, so both count the same window.
      const contextSize = trained === undefined ? configured : Math.min(configured, trained);
      const worker = new LlamaServerWorker({
        serverPath: settings.serverPath,
        gpuLayers: settings.gpuLayers,
        modelPath: registered.path,
        modelName: registered.name,
        threads: settings.threads,
        slots: registered.kind === "embedding" ? 1 : settings.sequences,
        contextSize,
        embedding: registered.kind === "embedding",
        projectorPath: registered.kind === "llm" ? registered.metadata.projector?.path : undefined,
        logger: settings.logger,
      });
      const loaded = new LoadedWorkerModel(registered, worker, model, resolveChatWrapper(model), contextSize, settings.maxQueue, memoryBytes);
      try {
        await worker.ensureReady();
      } catch (error) {
        await worker.stop();
        throw error;
      }
      return loaded;
    } catch (error) {
      await model.dispose();
      throw error;
    }
  }

  get busy(): boolean {
    return this.worker.busy;
  }

  /** Special tokens llama.cpp adds around an embedding input (BOS/CLS and EOS/SEP where the model asks for them). */
  get specialTokensPerInput(): number {
    const { tokens } = this.model;
    return (tokens.bos !== null && tokens.shouldPrependBosToken ? 1 : 0) + (tokens.eos !== null && tokens.shouldAppendEosToken ? 1 : 0);
  }

  /** Tokens of `text` without special tokens. */
  tokenize(text: string): Token[] {
    return this.model.tokenize(text, false);
  }

  async dispose(): Promise<void> {
    await this.worker.stop();
    await this.model.dispose();
  }
}
