/** A FIFO mutex: `run` executes callbacks one at a time, in call order. */
export class AsyncLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(callback: () => Promise<T>): Promise<T> {
    const result = this.tail.then(callback, callback);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
