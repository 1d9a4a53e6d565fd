import { InvalidRequestError } from "../spec/index.js";
import { parseWorkflowFile } from "./parse-workflow-definition.js";
import type { WorkflowDefinition } from "./workflow-definition-schema.js";
import { workflowTemplateTexts } from "./workflow-template-texts.js";

/** The shipped templates: the five patterns of Anthropic's "Building effective agents". */
export const workflowTemplateNames = ["chaining", "routing", "parallelization", "orchestrator-workers", "evaluator-optimizer"] as const satisfies ReadonlyArray<keyof typeof workflowTemplateTexts>;
export type WorkflowTemplateName = (typeof workflowTemplateNames)[number];

/** A template's YAML text (compiled in, so the bundled CLI needs no files); InvalidRequestError for an unknown name. */
export function workflowTemplateText(name: string): string {
  if (!(workflowTemplateNames as readonly string[]).includes(name)) {
    throw new InvalidRequestError({ message: `unknown workflow template '${name}'; templates: ${workflowTemplateNames.join(", ")}`, param: "template", code: "unknown_template" });
  }
  return workflowTemplateTexts[name as WorkflowTemplateName];
}

/** A template's validated definition. */
export function workflowTemplate(name: string): WorkflowDefinition {
  return parseWorkflowFile(workflowTemplateText(name));
}
