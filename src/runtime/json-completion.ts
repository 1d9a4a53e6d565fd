/**
 * True when `text` is a complete JSON object or array. Grammar-constrained generation stops here:
 * llama.cpp grammars allow trailing whitespace, so a small model would otherwise pad with newlines.
 */
export function isCompleteJson(text: string): boolean {
  const trimmed = text.trim();
  if (!trimmed.endsWith("}") && !trimmed.endsWith("]")) return false;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return false;
  }
}
