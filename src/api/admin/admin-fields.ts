import { z } from "zod";
import { InvalidRequestError } from "../../spec/index.js";

/** A time as an ISO string or epoch seconds, to epoch ms. */
export const timeField = (name: string) =>
  z
    .union([z.number().positive(), z.string()], { error: `${name} must be an ISO date/time or epoch seconds` })
    .transform((value, context) => {
      const time = typeof value === "number" ? value * 1000 : Date.parse(value);
      if (!Number.isFinite(time)) context.addIssue({ code: "custom", message: `${name} must be an ISO date/time or epoch seconds` });
      return Math.round(time);
    });

/** Epoch ms as unix seconds (an integer), or null: every `*_at` field of aiplus's own endpoints uses this. */
export function unixSeconds(time: number | undefined): number | null {
  return time === undefined ? null : Math.floor(time / 1000);
}

/** A path parameter that must be present. */
export function requiredParam(value: string | undefined, name: string): string {
  if (!value) throw new InvalidRequestError({ message: `Missing ${name}`, param: name });
  return value;
}
