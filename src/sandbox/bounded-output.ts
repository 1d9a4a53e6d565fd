/** Keeps the last `keptBytes` of a stream and counts everything that went through. */
export class BoundedOutput {
  private chunks: Buffer[] = [];
  private keptLength = 0;
  /** Bytes received in all. */
  total = 0;

  constructor(private readonly keptBytes: number) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    this.chunks.push(chunk);
    this.keptLength += chunk.length;
    while (this.keptLength - (this.chunks[0]?.length ?? 0) >= this.keptBytes && this.chunks.length > 1) {
      this.keptLength -= this.chunks.shift()!.length;
    }
  }

  get truncated(): boolean {
    return this.total > this.keptBytes;
  }

  /** The kept tail as UTF-8 (a character cut at the start becomes U+FFFD). */
  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.keptBytes)).toString("utf8");
  }
}
