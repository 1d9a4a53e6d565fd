import type { z } from "zod";
import { InvalidRequestError } from "../../spec/index.js";

type Issue = z.core.$ZodIssue;

/**
 * Parses a request value; the first issue becomes an InvalidRequestError whose `param` names the field
 * (`messages[0].content`) and whose message says what is wrong with it. A field a strict schema does not know is
 * OpenAI's `Unrecognized request argument supplied: <field>` (code `unknown_parameter`).
 */
export function parseWithSchema<Schema extends z.ZodType>(schema: Schema, value: unknown): z.output<Schema> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const first = result.error.issues[0];
  if (!first) throw new InvalidRequestError({ message: "Invalid request body." });
  const { issue, path } = mostSpecific(first, first.path);
  if (issue.code === "unrecognized_keys") {
    const field = formatPath([...path, issue.keys[0] ?? ""]);
    throw new InvalidRequestError({ message: `Unrecognized request argument supplied: ${field}`, param: field, code: "unknown_parameter" });
  }
  const param = formatPath(path);
  throw new InvalidRequestError({ message: describeIssue(issue, path, param), param: param || undefined });
}

/** For a union that matched no option, the issue of the option that got furthest (a wrong value beats a wrong type). */
function mostSpecific(issue: Issue, path: readonly PropertyKey[]): { issue: Issue; path: readonly PropertyKey[] } {
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return { issue, path };
  const candidates = issue.errors.flatMap((optionIssues) => (optionIssues[0] ? [optionIssues[0]] : []));
  const score = (candidate: Issue) => candidate.path.length * 2 + (candidate.code === "invalid_type" ? 0 : 1);
  const best = candidates.reduce<Issue | undefined>((chosen, candidate) => (!chosen || score(candidate) > score(chosen) ? candidate : chosen), undefined);
  if (!best || score(best) === 0) return { issue, path };
  return mostSpecific(best, [...path, ...best.path]);
}

function describeIssue(issue: Issue, path: readonly PropertyKey[], param: string): string {
  if (param === "") return issue.code === "invalid_type" ? "The request body must be a JSON object." : issue.message;
  if (issue.code === "invalid_type" && issue.input === undefined) return `Missing required parameter: '${param}'.`;
  const leaf = String(path[path.length - 1] ?? param);
  if (issue.message.startsWith(param) || issue.message.startsWith(leaf)) return issue.message;
  return `Invalid '${param}': ${issue.message}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === "number" ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), "");
}
