import { EventEmitter } from "node:events";

/**
 * In-process wake-ups for followers of run event logs: a writer `notify`s after appending, a follower `wait`s until
 * the next append (or a timeout: writers in other processes are seen by polling).
 */
export class RunEventHub {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly versions = new Map<string, number>();

  notify(responseId: string): void {
    this.versions.set(responseId, (this.versions.get(responseId) ?? 0) + 1);
    this.emitter.emit(responseId);
  }

  /** A number that changes on every `notify` of the response (read it before reading the log). */
  version(responseId: string): number {
    return this.versions.get(responseId) ?? 0;
  }

  /** Resolves at the next notify after `version` (at once if one happened meanwhile) or after `timeoutMs`. */
  async wait(responseId: string, version: number, timeoutMs: number): Promise<void> {
    if (this.version(responseId) !== version) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.emitter.off(responseId, done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.emitter.once(responseId, done);
    });
  }
}
