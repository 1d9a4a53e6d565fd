/** Requests of this server still being handled and their open ledger entries, so a graceful shutdown can wait for them. */
export class InFlightRequests {
  private readonly pending = new Set<Promise<unknown>>();

  /** Tracks `settled` until it resolves or rejects. */
  track(settled: Promise<unknown>): void {
    const tracked = settled.finally(() => this.pending.delete(tracked)).catch(() => undefined);
    this.pending.add(tracked);
  }

  get size(): number {
    return this.pending.size;
  }

  /** Resolves once every tracked entry (including ones tracked meanwhile) has settled. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
