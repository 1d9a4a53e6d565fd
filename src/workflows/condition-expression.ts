import { lookUp, parsePath, type TemplateScope } from "./template.js";

/**
 * The condition language (no `eval`): operands are paths (`steps.classify.output.label`, `inputs.n`), string
 * literals ('a' or "a"), numbers, `true`, `false`, `null`; comparisons `==`, `!=`, `<`, `<=`, `>`, `>=`, `contains`
 * (substring, list element or object key), `matches` (a regular expression literal string); `and`, `or`, `not`,
 * parentheses. A bare operand is true when it is truthy (non-empty, non-zero).
 */
export type ConditionExpression =
  | { kind: "path"; path: string; segments: Array<string | number> }
  | { kind: "literal"; value: unknown }
  | { kind: "compare"; operator: Operator; left: ConditionExpression; right: ConditionExpression }
  | { kind: "and" | "or"; left: ConditionExpression; right: ConditionExpression }
  | { kind: "not"; operand: ConditionExpression };

type Operator = "==" | "!=" | "<" | "<=" | ">" | ">=" | "contains" | "matches";
const operators: Operator[] = ["==", "!=", "<=", ">=", "<", ">", "contains", "matches"];

type Token = { type: "string" | "number" | "word" | "symbol"; text: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (position < source.length) {
    const rest = source.slice(position);
    const space = /^\s+/.exec(rest);
    if (space) {
      position += space[0].length;
      continue;
    }
    const quoted = /^(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")/.exec(rest);
    const number = /^-?\d+(?:\.\d+)?/.exec(rest);
    const word = /^[A-Za-z_][A-Za-z0-9_-]*(?:(?:\.[A-Za-z0-9_-]+)|\[\d+\])*/.exec(rest);
    const symbol = /^(==|!=|<=|>=|<|>|\(|\))/.exec(rest);
    if (quoted) tokens.push({ type: "string", text: (quoted[1] ?? quoted[2] ?? "").replace(/\\(.)/g, "$1") });
    else if (number) tokens.push({ type: "number", text: number[0] });
    else if (word) tokens.push({ type: "word", text: word[0] });
    else if (symbol) tokens.push({ type: "symbol", text: symbol[0] });
    else throw new Error(`unexpected ${JSON.stringify(rest.slice(0, 10))}`);
    position += (quoted ?? number ?? word ?? symbol)![0].length;
  }
  return tokens;
}

/** Parses a condition; throws an Error whose message says what is wrong. */
export function parseCondition(source: string): ConditionExpression {
  const tokens = tokenize(source);
  let position = 0;
  const peek = () => tokens[position];
  const take = () => tokens[position++];
  const isWord = (text: string) => peek()?.type === "word" && peek()?.text === text;

  function orExpression(): ConditionExpression {
    let left = andExpression();
    while (isWord("or")) {
      take();
      left = { kind: "or", left, right: andExpression() };
    }
    return left;
  }
  function andExpression(): ConditionExpression {
    let left = notExpression();
    while (isWord("and")) {
      take();
      left = { kind: "and", left, right: notExpression() };
    }
    return left;
  }
  function notExpression(): ConditionExpression {
    if (isWord("not")) {
      take();
      return { kind: "not", operand: notExpression() };
    }
    return comparison();
  }
  function comparison(): ConditionExpression {
    const left = operand();
    const next = peek();
    const operator = next && (next.type === "symbol" || next.type === "word") ? operators.find((candidate) => candidate === next.text) : undefined;
    if (!operator) return left;
    take();
    return { kind: "compare", operator, left, right: operand() };
  }
  function operand(): ConditionExpression {
    const token = take();
    if (!token) throw new Error("the condition ends too early");
    if (token.type === "symbol" && token.text === "(") {
      const inner = orExpression();
      if (take()?.text !== ")") throw new Error("a `(` is not closed");
      return inner;
    }
    if (token.type === "string") return { kind: "literal", value: token.text };
    if (token.type === "number") return { kind: "literal", value: Number(token.text) };
    if (token.type === "word") {
      if (token.text === "true" || token.text === "false") return { kind: "literal", value: token.text === "true" };
      if (token.text === "null") return { kind: "literal", value: null };
      const segments = parsePath(token.text);
      if (!segments) throw new Error(`${JSON.stringify(token.text)} is not a path (inputs.…, steps.<id>.output…, item…) or a literal`);
      return { kind: "path", path: token.text, segments };
    }
    throw new Error(`unexpected ${JSON.stringify(token.text)}`);
  }

  const expression = orExpression();
  if (position < tokens.length) throw new Error(`unexpected ${JSON.stringify(tokens[position]!.text)}`);
  return expression;
}

/** The step ids a condition reads. */
export function conditionStepReferences(expression: ConditionExpression): string[] {
  switch (expression.kind) {
    case "path":
      return expression.segments[0] === "steps" && typeof expression.segments[1] === "string" ? [expression.segments[1]] : [];
    case "literal":
      return [];
    case "compare":
    case "and":
    case "or":
      return [...conditionStepReferences(expression.left), ...conditionStepReferences(expression.right)];
    case "not":
      return conditionStepReferences(expression.operand);
    default:
      return expression satisfies never;
  }
}

/** Evaluates a parsed condition over the run's values. */
export function evaluateCondition(expression: ConditionExpression, scope: TemplateScope): boolean {
  return truthy(value(expression, scope));
}

function value(expression: ConditionExpression, scope: TemplateScope): unknown {
  switch (expression.kind) {
    case "path":
      return lookUp(scope, expression.segments);
    case "literal":
      return expression.value;
    case "and":
      return truthy(value(expression.left, scope)) && truthy(value(expression.right, scope));
    case "or":
      return truthy(value(expression.left, scope)) || truthy(value(expression.right, scope));
    case "not":
      return !truthy(value(expression.operand, scope));
    case "compare":
      return compare(expression.operator, value(expression.left, scope), value(expression.right, scope));
    default:
      return expression satisfies never;
  }
}

/** A value as text for string comparisons: strings as they are, null and undefined as "", anything else as JSON. */
function textOf(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function compare(operator: Operator, left: unknown, right: unknown): boolean {
  switch (operator) {
    case "==":
      return equal(left, right);
    case "!=":
      return !equal(left, right);
    case "<":
    case "<=":
    case ">":
    case ">=": {
      const [a, b] = typeof left === "number" || typeof right === "number" ? [Number(left), Number(right)] : [textOf(left), textOf(right)];
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      return operator === "<" ? a < b : operator === "<=" ? a <= b : operator === ">" ? a > b : a >= b;
    }
    case "contains":
      if (typeof left === "string") return left.includes(textOf(right));
      if (Array.isArray(left)) return left.some((entry) => equal(entry, right));
      if (left !== null && typeof left === "object") return typeof right === "string" && right in left;
      return false;
    case "matches":
      try {
        return new RegExp(textOf(right)).test(textOf(left));
      } catch {
        return false;
      }
    default:
      return operator satisfies never;
  }
}

/** Equality with text tolerance: a model's reply "billing\n" equals 'billing'; numbers compare as numbers; missing equals null. */
function equal(left: unknown, right: unknown): boolean {
  if (left === undefined || left === null || right === undefined || right === null) return (left ?? null) === (right ?? null);
  if (typeof left === "string" && typeof right === "string") return left.trim() === right.trim();
  if (typeof left === "number" || typeof right === "number") return Number(left) === Number(right);
  return JSON.stringify(left) === JSON.stringify(right);
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "string") return value.trim() !== "" && value.trim() !== "false";
  return Boolean(value);
}
