/** Error codes that mean the host could not be contacted at all (offline, DNS, refused). */
const unreachableCodes = new Set([
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_NODATA",
  "EAI_NONAME",
  "ECONNREFUSED",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ENETDOWN",
  "EHOSTDOWN",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** True when a `fetch` failure (or any error in its `cause` chain) means the host is unreachable. */
export function isUnreachableError(error: unknown): boolean {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 8; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && unreachableCodes.has(code)) return true;
    if (current instanceof AggregateError && current.errors.some(isUnreachableError)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
