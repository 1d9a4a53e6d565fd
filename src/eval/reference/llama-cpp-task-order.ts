import { MersenneTwister } from "../generative/mersenne-twister.js";

/**
 * libstdc++ (GCC ≥ 11) `std::uniform_int_distribution<size_t>(0, range - 1)` over `std::mt19937`:
 * Lemire's nearly-divisionless method with a 64-bit product (`_S_nd`), because mt19937's range is 2³²−1.
 */
export function libstdcxxUniformBelow(twister: MersenneTwister, range: number): number {
  const bigRange = BigInt(range);
  let product = BigInt(twister.nextUint32()) * bigRange;
  let low = product & 0xffffffffn;
  if (low < bigRange) {
    const threshold = ((1n << 32n) - bigRange) % bigRange;
    while (low < threshold) {
      product = BigInt(twister.nextUint32()) * bigRange;
      low = product & 0xffffffffn;
    }
  }
  return Number(product >> 32n);
}

/**
 * Order in which `llama-perplexity --hellaswag` visits tasks: `std::mt19937 rng(1)`, then per pick
 * `uniform_int_distribution(0, remaining − 1)` and erase. Returns original task indices in visit order
 * (its output lines follow this order, so per-item results need it). Verified against g++ 12 / libstdc++.
 */
export function llamaCppHellaswagOrder(taskCount: number, selectCount = taskCount): number[] {
  const twister = MersenneTwister.fromSeed(1);
  const remaining = Array.from({ length: taskCount }, (_, index) => index);
  const order: number[] = [];
  for (let pick = 0; pick < Math.min(selectCount, taskCount); pick += 1) {
    const index = libstdcxxUniformBelow(twister, remaining.length);
    order.push(remaining[index]!);
    remaining.splice(index, 1);
  }
  return order;
}

/**
 * Random subset of `--winogrande-tasks N` / `--multiple-choice-tasks N`: `mt19937(1)`,
 * `j = int(float(2⁻³²) · float(rng()) · float(size))` in float arithmetic, swap-with-last and pop.
 * (A draw that rounds up to `size` would index out of bounds in llama.cpp; it is clamped here.)
 */
export function llamaCppRandomSelection(taskCount: number, selectCount: number): number[] {
  const twister = MersenneTwister.fromSeed(1);
  const auxiliary = Array.from({ length: taskCount }, (_, index) => index);
  const scale = Math.fround(1 / Math.fround(1 + Math.fround(0xffffffff)));
  const selected: number[] = [];
  for (let pick = 0; pick < Math.min(selectCount, taskCount); pick += 1) {
    const draw = Math.fround(Math.fround(scale * Math.fround(twister.nextUint32())) * Math.fround(auxiliary.length));
    const j = Math.min(Math.trunc(draw), auxiliary.length - 1);
    selected.push(auxiliary[j]!);
    auxiliary[j] = auxiliary.at(-1)!;
    auxiliary.pop();
  }
  return selected;
}
