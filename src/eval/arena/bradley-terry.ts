import { InvalidRequestError } from "../../spec/index.js";
import { type Battle, battleOutcome } from "./battle-log.js";

/** Unique (model a, model b, outcome) rows with their counts: FastChat `preprocess_for_bt`. */
export type BattleRows = {
  models: string[];
  rows: { a: number; b: number; outcome: number; count: number }[];
  total: number;
};

/** Groups battles into unique rows; models in order of first appearance. */
export function toBattleRows(battles: readonly Battle[]): BattleRows {
  const modelIndex = new Map<string, number>();
  const indexOf = (model: string) => {
    let index = modelIndex.get(model);
    if (index === undefined) {
      index = modelIndex.size;
      modelIndex.set(model, index);
    }
    return index;
  };
  const rows = new Map<string, { a: number; b: number; outcome: number; count: number }>();
  for (const battle of battles) {
    const a = indexOf(battle.model_a);
    const b = indexOf(battle.model_b);
    const outcome = battleOutcome(battle.winner);
    const key = `${a}\u0000${b}\u0000${outcome}`;
    const row = rows.get(key);
    if (row) row.count += 1;
    else rows.set(key, { a, b, outcome, count: 1 });
  }
  return { models: [...modelIndex.keys()], rows: [...rows.values()], total: battles.length };
}

export type BradleyTerryOptions = {
  /** Defaults to 10. */
  base?: number;
  /** Defaults to 400. */
  scale?: number;
  /** Defaults to 1000: the mean rating when no anchor is set. */
  initialRating?: number;
  /** Shift all ratings so this model has this rating (FastChat anchors `mixtral-8x7b-instruct-v0.1` at 1114). */
  anchor?: { model: string; rating: number } | undefined;
  /** Newton iterations at most. Defaults to 100. */
  maximumIterations?: number;
  /** Stop when the largest gradient component is below this. Defaults to 1e-10. */
  tolerance?: number;
};

/**
 * Bradley–Terry maximum likelihood as FastChat `compute_bt`: minimise
 * `−Σ w [y log σ(α(θa−θb)) + (1−y) log(1−σ)]` with α = ln(base), ties as y = 0.5, then
 * `rating = scale·θ + initialRating`. Solved by damped Newton with the zero-mean constraint (FastChat's
 * L-BFGS from zero stays zero-mean too, so the mean rating is `initialRating`), to a gradient of 1e-10
 * instead of L-BFGS's 1e-6. A model that wins (or loses) every battle has no finite MLE; its rating grows
 * until the iteration limit, as with FastChat.
 */
export function fitBradleyTerry(rows: BattleRows, options: BradleyTerryOptions = {}, weights?: readonly number[]): Map<string, number> {
  const theta = solveBradleyTerry(rows, weights ?? rows.rows.map((row) => row.count), Math.log(options.base ?? 10), options);
  return scaleRatings(rows.models, theta, options);
}

export function scaleRatings(models: readonly string[], theta: readonly number[], options: BradleyTerryOptions = {}): Map<string, number> {
  const scale = options.scale ?? 400;
  const initial = options.initialRating ?? 1000;
  const ratings = theta.map((value) => scale * value + initial);
  const anchorIndex = options.anchor ? models.indexOf(options.anchor.model) : -1;
  const shift = anchorIndex >= 0 ? options.anchor!.rating - ratings[anchorIndex]! : 0;
  return new Map(models.map((model, index) => [model, ratings[index]! + shift]));
}

/** θ (natural units) minimising the weighted BT loss; zero-mean. `start` warm-starts the solve. */
export function solveBradleyTerry(
  rows: BattleRows,
  weights: readonly number[],
  alpha: number,
  options: BradleyTerryOptions = {},
  start?: readonly number[],
): number[] {
  const n = rows.models.length;
  if (n === 0) throw new InvalidRequestError({ message: "no battles to rate" });
  const theta = start ? [...start] : new Array<number>(n).fill(0);
  const maximumIterations = options.maximumIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-10;
  for (let iteration = 0; iteration < maximumIterations; iteration += 1) {
    const { gradient, hessian } = derivatives(rows, weights, alpha, theta);
    if (Math.max(...gradient.map(Math.abs)) < tolerance) break;
    // (H + 11ᵀ) δ = −g keeps Σδ = 0 because Σg = 0 and H·1 = 0; a tiny ridge covers models without battles.
    for (let i = 0; i < n; i += 1) {
      for (let j = 0; j < n; j += 1) hessian[i]![j]! += 1;
      hessian[i]![i]! += 1e-12;
    }
    const step = solveLinear(hessian, gradient.map((value) => -value));
    const currentLoss = loss(rows, weights, alpha, theta);
    let factor = 1;
    for (;;) {
      const candidate = theta.map((value, index) => value + factor * step[index]!);
      if (loss(rows, weights, alpha, candidate) <= currentLoss || factor < 1e-8) {
        for (let index = 0; index < n; index += 1) theta[index] = candidate[index]!;
        break;
      }
      factor /= 2;
    }
  }
  const average = theta.reduce((sum, value) => sum + value, 0) / n;
  return theta.map((value) => value - average);
}

function logSigmoid(z: number): number {
  return z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z));
}

function loss(rows: BattleRows, weights: readonly number[], alpha: number, theta: readonly number[]): number {
  let total = 0;
  rows.rows.forEach((row, index) => {
    const weight = weights[index]!;
    if (weight === 0) return;
    const z = alpha * (theta[row.a]! - theta[row.b]!);
    total -= weight * (row.outcome * logSigmoid(z) + (1 - row.outcome) * logSigmoid(-z));
  });
  return total;
}

function derivatives(rows: BattleRows, weights: readonly number[], alpha: number, theta: readonly number[]) {
  const n = theta.length;
  const gradient = new Array<number>(n).fill(0);
  const hessian = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  rows.rows.forEach((row, index) => {
    const weight = weights[index]!;
    if (weight === 0) return;
    const probability = 1 / (1 + Math.exp(-alpha * (theta[row.a]! - theta[row.b]!)));
    const g = -weight * alpha * (row.outcome - probability);
    gradient[row.a]! += g;
    gradient[row.b]! -= g;
    const h = weight * alpha * alpha * probability * (1 - probability);
    hessian[row.a]![row.a]! += h;
    hessian[row.b]![row.b]! += h;
    hessian[row.a]![row.b]! -= h;
    hessian[row.b]![row.a]! -= h;
  });
  return { gradient, hessian };
}

/** Gaussian elimination with partial pivoting (n is the number of models: small). */
function solveLinear(matrix: number[][], vector: number[]): number[] {
  const n = vector.length;
  const a = matrix.map((row, index) => [...row, vector[index]!]);
  for (let column = 0; column < n; column += 1) {
    let pivot = column;
    for (let row = column + 1; row < n; row += 1) if (Math.abs(a[row]![column]!) > Math.abs(a[pivot]![column]!)) pivot = row;
    [a[column], a[pivot]] = [a[pivot]!, a[column]!];
    const pivotValue = a[column]![column]!;
    for (let row = column + 1; row < n; row += 1) {
      const factor = a[row]![column]! / pivotValue;
      if (factor === 0) continue;
      for (let k = column; k <= n; k += 1) a[row]![k]! -= factor * a[column]![k]!;
    }
  }
  const solution = new Array<number>(n).fill(0);
  for (let row = n - 1; row >= 0; row -= 1) {
    let sum = a[row]![n]!;
    for (let k = row + 1; k < n; k += 1) sum -= a[row]![k]! * solution[k]!;
    solution[row] = sum / a[row]![row]!;
  }
  return solution;
}
