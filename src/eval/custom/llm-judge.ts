export type JudgeScale = { min: number; max: number };

export type JudgePromptInput = {
  rubric: string;
  question: string;
  response: string;
  reference?: string | undefined;
  scale: JudgeScale;
};

/** The judge prompt: rubric, question, optional reference, the response, and the required answer format. */
export function buildJudgePrompt(input: JudgePromptInput): string {
  const reference = input.reference === undefined ? "" : `\n[Reference answer]\n${input.reference}\n`;
  return (
    `You are grading an AI assistant's answer.\n\n[Rubric]\n${input.rubric}\n\n[Question]\n${input.question}\n${reference}\n[Answer]\n${input.response}\n\n` +
    `Rate the answer against the rubric with an integer from ${input.scale.min} to ${input.scale.max}. ` +
    `Explain briefly, then end with the line "Score: <integer>".`
  );
}

/** The last `Score: N` (or `<score>N</score>`) of a judge's reply, if within the scale; otherwise `undefined`. */
export function parseJudgeScore(reply: string, scale: JudgeScale): number | undefined {
  const matches = [...reply.matchAll(/(?:score\s*[:=]\s*|<score>\s*)(-?\d+(?:\.\d+)?)/gi)];
  const last = matches.at(-1);
  if (!last) return undefined;
  const score = Number(last[1]);
  return score >= scale.min && score <= scale.max ? score : undefined;
}
