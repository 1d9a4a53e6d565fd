import { PermissionDeniedError, sameModelName } from "../spec/index.js";
import type { KeyPrincipal } from "./types.js";

/** Whether the key's model list (none: every model) includes `model`, in any case. */
export function isModelAllowed(principal: Pick<KeyPrincipal, "models">, model: string): boolean {
  return principal.models === undefined || principal.models.some((allowed) => sameModelName(allowed, model));
}

/** Throws PermissionDeniedError when the key's model list does not include `model`. */
export function assertModelAllowed(principal: KeyPrincipal, model: string): void {
  if (isModelAllowed(principal, model)) return;
  throw new PermissionDeniedError({
    message: `The API key ${principal.prefix}… is not allowed to use model ${model}.`,
    param: "model",
    code: "model_not_allowed",
  });
}
