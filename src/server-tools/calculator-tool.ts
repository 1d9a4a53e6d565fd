import type { ServerTool } from "./server-tool.js";

/**
 * Built-in `calculator`: evaluates an arithmetic expression (numbers, + - * / % ^, parentheses, unary minus) with a
 * small recursive-descent parser (no `eval`). Pure, so idempotent; needs no approval.
 */
export const calculatorTool: ServerTool = {
  name: "calculator",
  description: "Evaluates an arithmetic expression such as (2 + 3) * 4 ^ 2 and returns the number.",
  parameters: { type: "object", properties: { expression: { type: "string" } }, required: ["expression"], additionalProperties: false },
  idempotent: true,
  requiresApproval: false,
  async execute(args) {
    const expression = typeof args === "object" && args !== null && "expression" in args ? args.expression : undefined;
    if (typeof expression !== "string") throw new Error("expression must be a string");
    return String(evaluateExpression(expression));
  },
};

/** The value of an arithmetic expression; throws on a syntax error or a non-finite result. */
export function evaluateExpression(expression: string): number {
  const tokens = expression.match(/\d+(?:\.\d+)?(?:e[+-]?\d+)?|[-+*/%^()]|\S/gi) ?? [];
  let position = 0;
  const peek = () => tokens[position];
  const take = (expected?: string) => {
    const token = tokens[position++];
    if (token === undefined || (expected !== undefined && token !== expected)) throw new Error(`expected ${expected ?? "a value"} at token ${position}`);
    return token;
  };
  const primary = (): number => {
    const token = take();
    if (token === "(") {
      const value = sum();
      take(")");
      return value;
    }
    if (token === "-") return -power();
    if (token === "+") return power();
    if (!/^\d/.test(token)) throw new Error(`unexpected ${JSON.stringify(token)}`);
    return Number(token);
  };
  const power = (): number => {
    const base = primary();
    return peek() === "^" ? (take(), base ** power()) : base;
  };
  const product = (): number => {
    let value = power();
    while (peek() === "*" || peek() === "/" || peek() === "%") {
      const operator = take();
      const right = power();
      value = operator === "*" ? value * right : operator === "/" ? value / right : value % right;
    }
    return value;
  };
  const sum = (): number => {
    let value = product();
    while (peek() === "+" || peek() === "-") value = take() === "+" ? value + product() : value - product();
    return value;
  };
  const value = sum();
  if (position !== tokens.length) throw new Error(`unexpected ${JSON.stringify(tokens[position])}`);
  if (!Number.isFinite(value)) throw new Error("the result is not a finite number");
  return value;
}
