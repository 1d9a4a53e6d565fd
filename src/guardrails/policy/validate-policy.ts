import { stringify } from "yaml";
import type { z } from "zod";
import { InvalidRequestError } from "../../spec/index.js";
import { createPiiScanner, InvalidPatternError } from "../detectors/index.js";
import { parsePolicyText } from "./parse-policy-text.js";
import { policyDocumentSchema, type PolicyDocument } from "./policy-schema.js";

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === "number" ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), "");
}

/**
 * A policy checked field by field: `input` is the file's text (YAML or JSON) or an already parsed value. The first
 * problem is an InvalidRequestError whose `param` names the field (`policy.pii.EMAIL`, `policy.custom[0].pattern`);
 * custom patterns must compile as RE2. Returns the document and its source text (the text as given, or YAML of the
 * value).
 */
export function validatePolicy(input: unknown, param = "policy"): { document: PolicyDocument; source: string } {
  const value = typeof input === "string" ? parsePolicyText(input, param) : input;
  const result = policyDocumentSchema.safeParse(value);
  if (!result.success) throw invalid(result.error.issues[0], param);
  const document = result.data;
  for (const [index, entry] of document.custom.entries()) {
    try {
      createPiiScanner({ entityTypes: [], custom: [{ name: entry.name, pattern: entry.pattern, ...(entry.flags ? { flags: entry.flags } : {}) }] });
    } catch (error) {
      const reason = error instanceof InvalidPatternError ? error.message : (error as Error).message;
      throw new InvalidRequestError({ message: `Invalid '${param}.custom[${index}].pattern': ${reason}`, param: `${param}.custom[${index}].pattern` });
    }
  }
  return { document, source: typeof input === "string" ? input : stringify(value) };
}

type Issue = z.core.$ZodIssue;

/** For a union that matched no option, the issue of the option that got furthest (a wrong value beats a wrong type). */
function mostSpecific(issue: Issue, path: readonly PropertyKey[]): { issue: Issue; path: readonly PropertyKey[] } {
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return { issue, path };
  const candidates = issue.errors.flatMap((optionIssues) => (optionIssues[0] ? [optionIssues[0]] : []));
  const score = (candidate: Issue) => candidate.path.length * 2 + (candidate.code === "invalid_type" ? 0 : 1);
  const best = candidates.reduce<Issue | undefined>((chosen, candidate) => (!chosen || score(candidate) > score(chosen) ? candidate : chosen), undefined);
  if (!best || score(best) === 0) return { issue, path };
  return mostSpecific(best, [...path, ...best.path]);
}

function invalid(first: Issue | undefined, param: string): InvalidRequestError {
  if (!first) return new InvalidRequestError({ message: "invalid policy", param });
  const { issue, path } = mostSpecific(first, first.path);
  if (issue.code === "unrecognized_keys") {
    const field = formatPath([param, ...path, issue.keys[0] ?? ""]);
    return new InvalidRequestError({ message: `Unknown policy field: ${field} (fields: description, override, pii, custom, dictionaries, injection, canary, output, routes, moderation)`, param: field, code: "unknown_parameter" });
  }
  const field = formatPath([param, ...path]);
  return new InvalidRequestError({ message: `Invalid '${field}': ${issue.message}`, param: field });
}

/** Parses a stored policy document (JSON); throws when it no longer validates. */
export function parseStoredPolicy(document: string): PolicyDocument {
  return policyDocumentSchema.parse(JSON.parse(document));
}
