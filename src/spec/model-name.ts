/**
 * Model names keep the spelling they were registered with (`Stories260K`) but are matched without regard to ASCII
 * case everywhere: registry look-ups, provider model lists, key allow-lists, prices and knowledge-base references.
 */
export function modelNameKey(name: string): string {
  return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/** Whether two model names denote the same model (ASCII case-insensitive, like SQL `lower()` on both databases). */
export function sameModelName(left: string, right: string): boolean {
  return modelNameKey(left) === modelNameKey(right);
}
