/** `JSON.parse` that returns `undefined` instead of throwing; the result still goes through a zod schema. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
