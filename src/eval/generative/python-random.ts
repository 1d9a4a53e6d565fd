import { MersenneTwister } from "./mersenne-twister.js";

/**
 * A faithful port of CPython's `random.Random` core (MT19937 `init_by_array` seeding from an integer,
 * `getrandbits`, `_randbelow`, `random`, `sample`), so `new PythonRandom(1234).sample(docs, 5)` picks the
 * same few-shot examples as lm-eval. Verified against CPython 3.11 outputs in the tests.
 */
export class PythonRandom {
  private twister: MersenneTwister;

  constructor(seed: number | bigint) {
    this.twister = PythonRandom.twisterFor(seed);
  }

  /** `random.seed(int)`: the absolute value's 32-bit words, least significant first, fed to `init_by_array`. */
  seed(seed: number | bigint): void {
    this.twister = PythonRandom.twisterFor(seed);
  }

  private static twisterFor(seed: number | bigint): MersenneTwister {
    let value = BigInt(seed);
    if (value < 0n) value = -value;
    const key: number[] = [];
    while (value > 0n) {
      key.push(Number(value & 0xffffffffn));
      value >>= 32n;
    }
    if (key.length === 0) key.push(0);
    return MersenneTwister.fromKey(key);
  }

  /** `genrand_uint32`. */
  nextUint32(): number {
    return this.twister.nextUint32();
  }

  /** `getrandbits(k)` for 0 ≤ k ≤ 53 as a number (CPython assembles 32-bit words, least significant first). */
  getrandbits(bits: number): number {
    if (!Number.isInteger(bits) || bits < 0 || bits > 53) throw new RangeError("getrandbits supports 0..53 bits");
    if (bits === 0) return 0;
    if (bits <= 32) return this.nextUint32() >>> (32 - bits);
    const low = this.nextUint32();
    const high = this.nextUint32() >>> (64 - bits);
    return high * 2 ** 32 + low;
  }

  /** `_randbelow_with_getrandbits(n)`: rejection sampling on `n.bit_length()` bits. */
  randbelow(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError("randbelow needs a positive safe integer");
    const bits = bitLength(n);
    let value = this.getrandbits(bits);
    while (value >= n) value = this.getrandbits(bits);
    return value;
  }

  /** `random()`: 53-bit float in [0, 1). */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** `sample(population, k)` without counts, both of CPython's branches (pool for small n, set otherwise). */
  sample<T>(population: readonly T[], k: number): T[] {
    const n = population.length;
    if (!Number.isInteger(k) || k < 0 || k > n) throw new RangeError("Sample larger than population or is negative");
    const result: T[] = new Array<T>(k);
    let setSize = 21;
    if (k > 5) setSize += 4 ** Math.ceil(Math.log(k * 3) / Math.log(4));
    if (n <= setSize) {
      const pool = [...population];
      for (let i = 0; i < k; i += 1) {
        const j = this.randbelow(n - i);
        result[i] = pool[j]!;
        pool[j] = pool[n - i - 1]!;
      }
      return result;
    }
    const selected = new Set<number>();
    for (let i = 0; i < k; i += 1) {
      let j = this.randbelow(n);
      while (selected.has(j)) j = this.randbelow(n);
      selected.add(j);
      result[i] = population[j]!;
    }
    return result;
  }
}

function bitLength(n: number): number {
  return n === 0 ? 0 : Math.floor(Math.log2(n)) + 1;
}
