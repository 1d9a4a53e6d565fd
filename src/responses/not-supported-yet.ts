import { z } from "zod";

/**
 * A schema for an object `type` OpenAI defines that aiplus does not implement yet: it always fails with
 * "<what> of type <type> are not supported yet" on `type`, so a request gets a clear 400 instead of a pretence.
 */
export function notSupportedYet(type: string, what: string) {
  return z
    .looseObject({ type: z.literal(type) })
    .superRefine((_, context) => {
      context.addIssue({ code: "custom", path: ["type"], message: `${what} of type ${type} are not supported yet` });
    })
    .transform((): never => {
      throw new Error(`unreachable: ${type} is rejected by its refinement`);
    });
}
