/** A pino-compatible logger (the subset the runtime uses). */
export type RuntimeLogger = {
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
  debug(object: object, message?: string): void;
};

/** Options of {@link createRuntime}. */
export type RuntimeOptions = {
  /** llama.cpp threads per context. Defaults to node-llama-cpp's `cpuMathCores`. */
  threads?: number | undefined;
  /** GPU backend; `cpu` disables offload. `auto` uses CUDA/Vulkan/Metal when a usable binary exists. */
  gpu: "auto" | "cpu" | "cuda" | "vulkan" | "metal";
  /** Memory for weights and KV caches of all loaded models. Defaults to 75% of RAM (of VRAM on GPU). */
  memoryBudgetBytes?: number | undefined;
  /** Parallel sequences (concurrent requests decoded together) per loaded model. Defaults to 4. */
  sequences?: number | undefined;
  /** Context size per sequence in tokens. Defaults to min(training context, 4096). */
  contextSize?: number | undefined;
  /** Unload a model after this many idle seconds; 0 disables. Defaults to 600. */
  idleUnloadSeconds?: number | undefined;
  /** Requests that may wait for a free sequence per model before OverloadedError. Defaults to 64. */
  maxQueue?: number | undefined;
  /** Local engine (`AIPLUS_ENGINE`): `auto` picks native when its build is in `nativeDir`. Defaults to `node-llama-cpp`. */
  engine?: "auto" | "native" | "node-llama-cpp" | undefined;
  /** Folder of the native build (`bin/llama-server`); needed by `auto` and `native`. */
  nativeDir?: string | undefined;
  /** Logger; defaults to silence. */
  logger?: RuntimeLogger | undefined;
  /** Clock in milliseconds. Defaults to `Date.now`. */
  now?: (() => number) | undefined;
  /**
   * `bin/aiplus-score` of the native build (see src/runtime/native-score): when set, prompt log-probabilities
   * (log-likelihood evaluation, completions `echo` + `logprobs`) are computed by that helper process instead of
   * in-process. Undefined: in-process.
   */
  nativeScorerPath?: string | undefined;
};

/** RuntimeOptions with every default except those that need the Llama instance. */
export type ResolvedRuntimeOptions = Required<Omit<RuntimeOptions, "threads" | "memoryBudgetBytes" | "contextSize" | "nativeScorerPath" | "engine" | "nativeDir">> &
  Pick<RuntimeOptions, "threads" | "memoryBudgetBytes" | "contextSize" | "nativeScorerPath">;

const silentLogger: RuntimeLogger = { info() {}, warn() {}, error() {}, debug() {} };

export function resolveRuntimeOptions(options: RuntimeOptions): ResolvedRuntimeOptions {
  return {
    threads: options.threads,
    gpu: options.gpu,
    memoryBudgetBytes: options.memoryBudgetBytes,
    sequences: options.sequences ?? 4,
    contextSize: options.contextSize,
    idleUnloadSeconds: options.idleUnloadSeconds ?? 600,
    maxQueue: options.maxQueue ?? 64,
    logger: options.logger ?? silentLogger,
    now: options.now ?? Date.now,
    nativeScorerPath: options.nativeScorerPath,
  };
}
