/**
 * A secret as it may be shown: its first 3 and last 4 characters around an ellipsis (`sk-…abcd`) when it is long enough
 * for those to give little away (at least 16 characters), else only `…`.
 */
export function maskSecret(secret: string): string {
  return secret.length >= 16 ? `${secret.slice(0, 3)}…${secret.slice(-4)}` : "…";
}
