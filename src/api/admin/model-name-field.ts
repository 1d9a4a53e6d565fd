import { z } from "zod";

/** A public model name: 1-128 letters, digits, dots, colons, dashes or underscores, starting with a letter or digit. */
export const modelNamePattern = /^[A-Za-z0-9][\w.:-]{0,127}$/;

export const modelNameField = z
  .string({ error: "name must be a string" })
  .regex(modelNamePattern, { error: "name must be 1-128 letters, digits, dots, colons, dashes or underscores" });
