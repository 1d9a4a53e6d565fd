import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidRequestError } from "../spec/index.js";
import { parseWorkflowFile } from "./parse-workflow-definition.js";
import type { WorkflowDefinition } from "./workflow-definition-schema.js";

/** The shipped templates: the five patterns of Anthropic's "Building effective agents". */
export const workflowTemplateNames = ["chaining", "routing", "parallelization", "orchestrator-workers", "evaluator-optimizer"] as const;
export type WorkflowTemplateName = (typeof workflowTemplateNames)[number];

// Next to this module in the source tree; from the bundled CLI (dist/aiplus.js), in the shipped source folder.
const here = path.dirname(fileURLToPath(import.meta.url));
const folder = [path.join(here, "templates"), path.join(here, "../src/workflows/templates")].find((candidate) => fs.existsSync(candidate)) ?? path.join(here, "templates");

/** A template's YAML text; InvalidRequestError for an unknown name. */
export function workflowTemplateText(name: string): string {
  if (!(workflowTemplateNames as readonly string[]).includes(name)) {
    throw new InvalidRequestError({ message: `unknown workflow template '${name}'; templates: ${workflowTemplateNames.join(", ")}`, param: "template", code: "unknown_template" });
  }
  return fs.readFileSync(path.join(folder, `${name}.yaml`), "utf8");
}

/** A template's validated definition. */
export function workflowTemplate(name: string): WorkflowDefinition {
  return parseWorkflowFile(workflowTemplateText(name));
}
