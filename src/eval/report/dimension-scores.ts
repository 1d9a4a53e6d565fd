import type { DimensionTag } from "../types.js";
import { aggregateReport, type EvaluationReport } from "./evaluation-report.js";

/** The four report dimensions, in the order charts draw them (CAICT "Fangsheng" style). */
export const reportDimensions = ["general", "industry", "application", "safety"] as const satisfies readonly DimensionTag[];

export type DimensionScore = {
  dimension: DimensionTag;
  /** Unweighted mean of the primary metrics of the model's tasks in the dimension; undefined: not evaluated. */
  score: number | undefined;
  /** Item-weighted mean (each item counts once); undefined: not evaluated. */
  itemWeightedScore: number | undefined;
  tasks: string[];
  /** Items scored over those tasks. */
  count: number;
};

export type ModelDimensionScores = { model: string; dimensions: DimensionScore[] };

/** Per model, a score for each of the four dimensions (every dimension listed; one without tasks is not evaluated). */
export function dimensionScores(report: EvaluationReport): ModelDimensionScores[] {
  return aggregateReport(report).map(({ model, aggregates }) => ({
    model,
    dimensions: reportDimensions.map((dimension): DimensionScore => {
      const aggregate = aggregates.find((candidate) => candidate.tag === `dimension:${dimension}`);
      if (!aggregate) return { dimension, score: undefined, itemWeightedScore: undefined, tasks: [], count: 0 };
      return {
        dimension,
        score: Number.isFinite(aggregate.macro) ? aggregate.macro : undefined,
        itemWeightedScore: Number.isFinite(aggregate.micro) ? aggregate.micro : undefined,
        tasks: aggregate.tasks,
        count: aggregate.count,
      };
    }),
  }));
}
