import { z } from "zod";

const identifier = z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/i, "letters, digits, _ . - only");

/** One dataset record (a JSON object). */
const recordSchema = z.record(z.string(), z.unknown());

const fewShotSchema = z.object({
  /** Dataset file of the examples; defaults to the task's own dataset (then the test doc itself is excluded). */
  path: z.string().min(1).optional(),
  /** The examples inline, instead of `path`. */
  records: z.array(recordSchema).min(1).optional(),
  /** Examples per prompt. Defaults to 0. */
  count: z.number().int().min(0).max(64).default(0),
  /** `random` (lm-eval sampler, CPython RNG carried over docs) or `first_n`. Defaults to `random`. */
  sampler: z.enum(["random", "first_n"]).default("random"),
  /** Seed of the random sampler. Defaults to 1234. */
  seed: z.number().int().min(0).default(1234),
  /** Between examples, and after the last one. Defaults to `"\n\n"`. */
  delimiter: z.string().default("\n\n"),
});

/** Capture groups of a JavaScript regex (`undefined` when it does not compile). */
function captureGroupCount(pattern: string): number | undefined {
  try {
    return new RegExp(`${pattern}|`).exec("")!.length - 1;
  } catch {
    return undefined;
  }
}

/**
 * Regex extraction of an exact-match answer. `match` picks which match (0 = first, −1 = last; lm-eval's
 * `group_select`); `group` picks the capture group of that match (0 = the whole match; left out: the only group, or
 * the first non-empty one of several, as lm-eval's RegexFilter does). A negative `group` is the older spelling of
 * `match` (definitions written when `group` selected the match), kept so they run unchanged.
 */
const extractSchema = z
  .object({
    regex: z.string().min(1),
    match: z.number().int().optional(),
    group: z.number().int().optional(),
  })
  .transform(({ regex, match, group }) =>
    match === undefined && group !== undefined && group < 0 ? { regex, match: group, group: undefined } : { regex, match: match ?? 0, group },
  )
  .superRefine((extract, context) => {
    const groups = captureGroupCount(extract.regex);
    if (groups === undefined) context.addIssue({ code: "custom", path: ["regex"], message: "not a valid regular expression" });
    else if (extract.group !== undefined && (extract.group < 0 || extract.group > groups)) {
      context.addIssue({ code: "custom", path: ["group"], message: `the regex has ${groups} capture group${groups === 1 ? "" : "s"}: group must be 0 (whole match) to ${groups}` });
    }
  });

const scorerSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("loglikelihood-multiple-choice"),
    /** A field holding an array of choices, or a list of choice templates. */
    choices: z.union([z.string().min(1), z.array(z.string()).min(2)]),
    /** Template rendering the gold choice's index (0-based) or its text. */
    gold: z.string().min(1),
  }),
  z.object({
    type: z.literal("exact-match"),
    /** Template of the reference answer. */
    target: z.string().min(1),
    /** Regex applied to the response (lm-eval RegexFilter): `match` (0 first, −1 last) and capture `group` (0 whole). */
    extract: extractSchema.optional(),
    ignoreCase: z.boolean().default(false),
    ignorePunctuation: z.boolean().default(false),
    /** Python-style regexes removed from both sides before comparing. */
    regexesToIgnore: z.array(z.string()).default([]),
  }),
  z.object({
    type: z.literal("code-execution"),
    /** Template of the test code appended to `prompt + completion`. */
    test: z.string().min(1),
    /** Wall-clock limit of each program in the code sandbox (src/sandbox). */
    timeoutSeconds: z.number().min(0.1).max(600).default(3),
    /** Address-space limit of each program in MiB (the sandbox allows at most 4096). */
    memoryMegabytes: z.number().int().min(64).max(4096).default(1024),
  }),
  z.object({
    type: z.literal("llm-judge"),
    /** Judge model name (a route); defaults to the run's configured judge. */
    judge: z.string().min(1).optional(),
    /** What a good answer does; shown to the judge verbatim. */
    rubric: z.string().min(1),
    /** Template of a reference answer shown to the judge. */
    reference: z.string().optional(),
    scale: z.object({ min: z.number().int(), max: z.number().int() }).refine((scale) => scale.max > scale.min, "max must exceed min").default({ min: 1, max: 10 }),
    /** Scores at or above this pass (item metric 1/0); defaults to the scale's midpoint. */
    passThreshold: z.number().optional(),
  }),
]);

/** A user-defined task (YAML or JSON). */
export const customTaskSchema = z.object({
  name: identifier,
  description: z.string().default(""),
  dataset: z
    .object({
      /** Dataset file; relative paths resolve against the definition file's folder. */
      path: z.string().min(1).optional(),
      /** Defaults to the file extension. */
      format: z.enum(["jsonl", "csv", "json"]).optional(),
      /** The records inline (an array of objects), instead of `path`: the definition is then self-contained. */
      records: z.array(recordSchema).min(1).optional(),
    })
    .refine((dataset) => (dataset.path === undefined) !== (dataset.records === undefined), "give exactly one of dataset.path and dataset.records"),
  prompt: z.object({
    /** `{{field}}`, `{{field.sub}}`, `{{list[0]}}` placeholders. */
    template: z.string().min(1),
    /** Answer of a few-shot example; defaults to the scorer's target/gold text. */
    target: z.string().optional(),
    /** Between question and answer. Defaults to `" "`. */
    delimiter: z.string().default(" "),
  }),
  fewShot: fewShotSchema.refine((fewShot) => fewShot.path === undefined || fewShot.records === undefined, "give at most one of fewShot.path and fewShot.records").optional(),
  generation: z.object({ maxTokens: z.number().int().min(1).max(32768).default(256), stop: z.array(z.string()).default([]) }).default({ maxTokens: 256, stop: [] }),
  scorer: scorerSchema,
  /** How reports group the task. Optional: defaults to dimension `application` with no capabilities. */
  tags: z
    .object({
      dimension: z.enum(["general", "industry", "application", "safety"]).default("application"),
      capabilities: z.array(z.string().min(1)).default([]),
    })
    .default({ dimension: "application", capabilities: [] }),
});

export type CustomTaskDefinition = z.output<typeof customTaskSchema>;
export type CustomTaskScorer = CustomTaskDefinition["scorer"];
