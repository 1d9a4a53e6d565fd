import os from "node:os";
import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";
import type { ResolvedRuntimeOptions } from "./runtime-options.js";

/** The one Llama binding of a runtime, created lazily on first use. */
export class LlamaInstance {
  private llama: Promise<Llama> | undefined;

  constructor(private readonly options: ResolvedRuntimeOptions) {}

  get(): Promise<Llama> {
    this.llama ??= this.create();
    return this.llama;
  }

  /** Threads for contexts: the configured count, else the machine's math cores. */
  async threads(): Promise<number> {
    return this.options.threads ?? (await this.get()).cpuMathCores;
  }

  /** The configured budget, else 75% of VRAM (GPU) or of RAM (CPU). */
  async memoryBudgetBytes(): Promise<number> {
    if (this.options.memoryBudgetBytes !== undefined) return this.options.memoryBudgetBytes;
    if (this.options.gpu === "cpu") return Math.floor(os.totalmem() * 0.75);
    const llama = await this.get();
    if (llama.gpu !== false) return Math.floor((await llama.getVramState()).total * 0.75);
    return Math.floor(os.totalmem() * 0.75);
  }

  async dispose(): Promise<void> {
    const pending = this.llama;
    this.llama = undefined;
    if (pending) await (await pending.catch(() => undefined))?.dispose();
  }

  private async create(): Promise<Llama> {
    const gpu = this.options.gpu === "cpu" ? false : this.options.gpu;
    const llama = await getLlama({
      gpu,
      build: "never",
      logLevel: LlamaLogLevel.error,
      ...(this.options.threads !== undefined ? { maxThreads: this.options.threads } : {}),
    });
    this.options.logger.info({ gpu: llama.gpu, threads: this.options.threads ?? llama.cpuMathCores }, "llama.cpp ready");
    return llama;
  }
}
