import { z } from "zod";

const maximumInputs = 2048;

/** `input`: a non-empty string or up to 2048 non-empty strings; token arrays are refused with a clear message. */
const inputField = z.unknown().transform((input, context): string[] => {
  const fail = (message: string) => {
    context.addIssue({ code: "custom", message });
    return z.NEVER;
  };
  if (input === undefined) return fail("Missing required parameter: 'input'.");
  const values = typeof input === "string" ? [input] : input;
  if (!Array.isArray(values)) return fail("input must be a string or an array of strings");
  if (values.length === 0) return fail("input must not be empty");
  if (values.length > maximumInputs) return fail(`input may hold at most ${maximumInputs} strings`);
  if (values.some((value) => typeof value === "number" || Array.isArray(value))) {
    return fail("input must be a string or an array of strings; token arrays are not supported");
  }
  if (!values.every((value): value is string => typeof value === "string")) return fail("input must be a string or an array of strings");
  const empty = values.findIndex((value) => value.length === 0);
  if (empty >= 0) return fail(typeof input === "string" ? "input must not be empty" : `input[${empty}] must not be empty`);
  return values;
});

/** `POST /v1/embeddings`: OpenAI's documented fields; any other field is a 400. */
export const embeddingRequestSchema = z.strictObject(
  {
    model: z.string({ error: "model must be a string naming a model" }).min(1, { error: "model must not be empty" }),
    input: inputField,
    encoding_format: z.enum(["float", "base64"], { error: 'encoding_format must be "float" or "base64"' }).nullish(),
    dimensions: z.undefined({ error: "dimensions is not supported: the model's embedding size is fixed" }).nullish(),
    user: z.string({ error: "user must be a string" }).nullish(),
  },
  { error: "The request body must be a JSON object." },
);

export type EmbeddingRequest = z.output<typeof embeddingRequestSchema>;
