import type { TaskTags } from "../types.js";

export type TaskScore = {
  task: string;
  tags: TaskTags;
  /** The task's primary metric, in [0, 1]. */
  value: number;
  /** Items scored. */
  count: number;
};

export type TagAggregate = {
  /** `dimension:<name>` or `capability:<name>`. */
  tag: string;
  /** Unweighted mean of the task scores carrying the tag. */
  macro: number;
  /** Item-weighted mean (each item counts once). */
  micro: number;
  tasks: string[];
  count: number;
};

/** Aggregates task scores by dimension tag and by capability tag. */
export function aggregateByTags(scores: readonly TaskScore[]): TagAggregate[] {
  const groups = new Map<string, TaskScore[]>();
  const add = (tag: string, score: TaskScore) => {
    const group = groups.get(tag) ?? [];
    group.push(score);
    groups.set(tag, group);
  };
  for (const score of scores) {
    add(`dimension:${score.tags.dimension}`, score);
    for (const capability of new Set(score.tags.capabilities)) add(`capability:${capability}`, score);
  }
  return [...groups]
    .map(([tag, group]) => {
      const count = group.reduce((sum, score) => sum + score.count, 0);
      return {
        tag,
        macro: group.reduce((sum, score) => sum + score.value, 0) / group.length,
        micro: count > 0 ? group.reduce((sum, score) => sum + score.value * score.count, 0) / count : Number.NaN,
        tasks: group.map((score) => score.task),
        count,
      };
    })
    .sort((x, y) => x.tag.localeCompare(y.tag));
}
