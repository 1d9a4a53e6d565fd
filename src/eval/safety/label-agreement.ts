export type Agreement = { accuracy: number; cohenKappa: number; count: number };

/** Agreement of judge labels with human labels: raw accuracy and Cohen's κ (NaN when chance agreement is 1). */
export function labelAgreement<Label>(pairs: readonly { judge: Label; human: Label }[]): Agreement {
  const count = pairs.length;
  if (count === 0) return { accuracy: Number.NaN, cohenKappa: Number.NaN, count: 0 };
  const observed = pairs.filter((pair) => pair.judge === pair.human).length / count;
  const labels = new Set(pairs.flatMap((pair) => [pair.judge, pair.human]));
  let expected = 0;
  for (const label of labels) {
    expected += (pairs.filter((pair) => pair.judge === label).length / count) * (pairs.filter((pair) => pair.human === label).length / count);
  }
  return { accuracy: observed, cohenKappa: expected === 1 ? Number.NaN : (observed - expected) / (1 - expected), count };
}
