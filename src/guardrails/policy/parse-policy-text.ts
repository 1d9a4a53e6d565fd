import { parse } from "yaml";
import { InvalidRequestError } from "../../spec/index.js";

/** Largest policy file accepted (dictionaries make policies long, but not longer than this). */
export const maxPolicyTextBytes = 1 << 20;

/**
 * Reads a policy file's text: YAML (JSON is YAML too). Throws InvalidRequestError (`param`) when it is not YAML, is
 * too large, or is not a mapping; its fields are checked by `policyDocumentSchema`.
 */
export function parsePolicyText(text: string, param = "policy"): unknown {
  if (Buffer.byteLength(text, "utf8") > maxPolicyTextBytes) {
    throw new InvalidRequestError({ message: `the policy is larger than ${maxPolicyTextBytes} bytes`, param });
  }
  let value: unknown;
  try {
    value = parse(text, { maxAliasCount: 100, prettyErrors: false, uniqueKeys: true });
  } catch (error) {
    throw new InvalidRequestError({ message: `the policy is not valid YAML or JSON: ${(error as Error).message.split("\n")[0]}`, param });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidRequestError({ message: "the policy must be a mapping, e.g. `pii: mask`", param });
  }
  return value;
}
