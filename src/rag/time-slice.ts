import { setImmediate as nextMacrotask } from "node:timers/promises";

/**
 * Cooperative scheduling for long JavaScript work on the main thread (parsing, chunking, storing): `pause()` yields
 * to the event loop once the current slice has run `sliceMilliseconds`, so completions of native work (llama.cpp
 * decoding in its own thread, HTTP responses) are handled promptly and the embedder is never kept waiting long.
 */
export class TimeSlice {
  private sliceStart = performance.now();

  /** @param sliceMilliseconds longest stretch of work between two yields (default 1 ms) */
  constructor(private readonly sliceMilliseconds = 1) {}

  /** Yields to the event loop if the current slice is used up. */
  async pause(): Promise<void> {
    if (performance.now() - this.sliceStart >= this.sliceMilliseconds) await this.yield();
  }

  /** Always yields to the event loop and starts a new slice. */
  async yield(): Promise<void> {
    await nextMacrotask();
    this.sliceStart = performance.now();
  }
}
