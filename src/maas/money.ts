import { InvalidRequestError } from "../spec/index.js";

/** Dollars to integer nano-dollars (budgets, costs). Throws InvalidRequestError for negative or non-finite amounts. */
export function dollarsToNanos(dollars: number, param = "budget"): number {
  assertAmount(dollars, param);
  return Math.round(dollars * 1e9);
}

/** Dollars to integer micro-dollars (prices per 1M tokens). */
export function dollarsToMicros(dollars: number, param = "price"): number {
  assertAmount(dollars, param);
  return Math.round(dollars * 1e6);
}

export function nanosToDollars(nanos: number): number {
  return nanos / 1e9;
}

export function microsToDollars(micros: number): number {
  return micros / 1e6;
}

/** Exact ceil(numerator / denominator) for non-negative safe integers. */
export function ceilDivide(numerator: number, denominator: number): number {
  const remainder = numerator % denominator;
  return (numerator - remainder) / denominator + (remainder > 0 ? 1 : 0);
}

function assertAmount(dollars: number, param: string): void {
  if (!Number.isFinite(dollars) || dollars < 0 || dollars > 1e9) {
    throw new InvalidRequestError({ message: `${param} must be a non-negative amount of dollars, got ${dollars}`, param });
  }
}
