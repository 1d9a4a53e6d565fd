/** Shareable URL state of the evaluation and safety pages (kept tiny: routes.tsx imports it into the entry). */

export type RunSearch = { run?: string | undefined };
export type EvaluationSearch = RunSearch & { compare?: string | undefined; report?: string | undefined };

const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

export function validateRunSearch(search: Record<string, unknown>): RunSearch {
  return { run: text(search.run) };
}

/** `run`: the open run; `compare`: `a,b`; `report`: comma-separated run ids. */
export function validateEvaluationSearch(search: Record<string, unknown>): EvaluationSearch {
  return { run: text(search.run), compare: text(search.compare), report: text(search.report) };
}
