const stateSize = 624;
const shiftSize = 397;
const matrixA = 0x9908b0df;
const upperMask = 0x80000000;
const lowerMask = 0x7fffffff;

/** MT19937 (Matsumoto & Nishimura), as CPython's `_random` and C++ `std::mt19937` implement it. */
export class MersenneTwister {
  private readonly state = new Uint32Array(stateSize);
  private index = stateSize + 1;

  private constructor() {}

  /** `init_genrand(seed)`: what `std::mt19937 rng(seed)` does. */
  static fromSeed(seed: number): MersenneTwister {
    const twister = new MersenneTwister();
    twister.initGenrand(seed);
    return twister;
  }

  /** `init_by_array(key)`: what CPython's `random.seed(int)` does with the integer's 32-bit words. */
  static fromKey(key: readonly number[]): MersenneTwister {
    const twister = new MersenneTwister();
    twister.initByArray(key);
    return twister;
  }

  /** `genrand_uint32`. */
  nextUint32(): number {
    const state = this.state;
    if (this.index >= stateSize) {
      let kk = 0;
      for (; kk < stateSize - shiftSize; kk += 1) {
        const y = (state[kk]! & upperMask) | (state[kk + 1]! & lowerMask);
        state[kk] = state[kk + shiftSize]! ^ (y >>> 1) ^ (y & 1 ? matrixA : 0);
      }
      for (; kk < stateSize - 1; kk += 1) {
        const y = (state[kk]! & upperMask) | (state[kk + 1]! & lowerMask);
        state[kk] = state[kk + (shiftSize - stateSize)]! ^ (y >>> 1) ^ (y & 1 ? matrixA : 0);
      }
      const y = (state[stateSize - 1]! & upperMask) | (state[0]! & lowerMask);
      state[stateSize - 1] = state[shiftSize - 1]! ^ (y >>> 1) ^ (y & 1 ? matrixA : 0);
      this.index = 0;
    }
    let y = state[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private initGenrand(seed: number): void {
    const state = this.state;
    state[0] = seed >>> 0;
    for (let i = 1; i < stateSize; i += 1) {
      const previous = state[i - 1]! ^ (state[i - 1]! >>> 30);
      state[i] = (Math.imul(1812433253, previous) + i) >>> 0;
    }
    this.index = stateSize;
  }

  private initByArray(key: readonly number[]): void {
    const state = this.state;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(stateSize, key.length); k > 0; k -= 1) {
      const previous = state[i - 1]! ^ (state[i - 1]! >>> 30);
      state[i] = ((state[i]! ^ Math.imul(previous, 1664525)) + key[j]! + j) >>> 0;
      i += 1;
      j += 1;
      if (i >= stateSize) {
        state[0] = state[stateSize - 1]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = stateSize - 1; k > 0; k -= 1) {
      const previous = state[i - 1]! ^ (state[i - 1]! >>> 30);
      state[i] = ((state[i]! ^ Math.imul(previous, 1566083941)) - i) >>> 0;
      i += 1;
      if (i >= stateSize) {
        state[0] = state[stateSize - 1]!;
        i = 1;
      }
    }
    state[0] = 0x80000000;
    this.index = stateSize;
  }
}
