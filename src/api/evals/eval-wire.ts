import type { ConfiguredDataset, EvalTaskView, Leaderboard } from "../../eval/index.js";

/** A configured dataset on the wire (files on the server: shown to admins only). */
export function wireEvalDataset(dataset: ConfiguredDataset) {
  return { path: dataset.path, few_shot_path: dataset.fewShotPath ?? null };
}

/** A built-in task as `GET /v1/evals/tasks` lists it; `withDataset`: include where its dataset is (admins). */
export function wireEvalTask(task: EvalTaskView, withDataset: boolean) {
  return {
    name: task.name,
    kind: task.kind,
    description: task.description,
    tags: task.tags,
    primary_metric: task.primaryMetric,
    formats: task.formats,
    dataset_configured: task.dataset !== undefined,
    ...(withDataset ? { dataset: task.dataset === undefined ? null : wireEvalDataset(task.dataset) } : {}),
  };
}

/** The arena leaderboard as `GET /v1/arena/leaderboard` shows it. */
export function wireLeaderboard(board: Leaderboard) {
  return {
    object: "arena.leaderboard",
    category: board.category ?? null,
    battles: board.battles,
    data: board.entries.map((entry) => ({
      rank: entry.rank,
      model: entry.model,
      rating: entry.rating,
      interval: [entry.lower, entry.upper],
      elo: entry.elo,
      battles: entry.battles,
    })),
  };
}
