import { PermissionDeniedError } from "../spec/index.js";
import type { KeyPrincipal } from "./types.js";

/** Throws PermissionDeniedError when the key's model list does not include `model`. */
export function assertModelAllowed(principal: KeyPrincipal, model: string): void {
  if (principal.models === undefined || principal.models.includes(model)) return;
  throw new PermissionDeniedError({
    message: `The API key ${principal.prefix}… is not allowed to use model ${model}.`,
    param: "model",
    code: "model_not_allowed",
  });
}
