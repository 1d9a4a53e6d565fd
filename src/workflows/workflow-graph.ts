import { InvalidRequestError } from "../spec/index.js";
import { conditionStepReferences, parseCondition } from "./condition-expression.js";
import { parsePath, templatePaths } from "./template.js";
import type { WorkflowDefinition, WorkflowItemStep, WorkflowStep } from "./workflow-definition-schema.js";

/** One dependency of a step: the step it waits for, and the definition field that made the edge (for errors). */
type Edge = { from: string; param: string };

/**
 * A validated workflow's graph: each step's dependencies, and for steps behind a `condition` branch, that condition
 * (the step runs only when the condition chose it).
 */
export type WorkflowGraph = {
  order: string[];
  steps: Map<string, WorkflowStep>;
  dependencies: Map<string, Set<string>>;
  /** Steps named by a condition's cases or default, by condition id. */
  branchTargets: Map<string, Set<string>>;
};

/**
 * Checks a definition's graph and builds it: duplicate ids, edges to unknown steps, malformed templates and
 * conditions, and cycles (the error names the cycle, `a → b → a`, and the field of the edge that closes it) are
 * InvalidRequestErrors whose `param` names the field (`steps[2].next`).
 */
export function buildWorkflowGraph(definition: WorkflowDefinition): WorkflowGraph {
  const steps = new Map<string, WorkflowStep>();
  const indexOf = new Map<string, number>();
  definition.steps.forEach((step, index) => {
    if (steps.has(step.id)) throw new InvalidRequestError({ message: `Duplicate step id '${step.id}' (also steps[${indexOf.get(step.id)}]).`, param: `steps[${index}].id`, code: "duplicate_step_id" });
    steps.set(step.id, step);
    indexOf.set(step.id, index);
  });
  const edges = new Map<string, Edge[]>(definition.steps.map((step) => [step.id, []]));
  const branchTargets = new Map<string, Set<string>>();
  const known = (id: string, param: string) => {
    if (!steps.has(id)) throw new InvalidRequestError({ message: `Invalid '${param}': no step has the id '${id}'.`, param, code: "unknown_step" });
  };
  const addEdge = (to: string, from: string, param: string) => {
    known(to, param);
    known(from, param);
    edges.get(to)!.push({ from, param });
  };

  definition.steps.forEach((step, index) => {
    const at = `steps[${index}]`;
    for (const next of step.next ?? []) addEdge(next, step.id, `${at}.next`);
    for (const dependency of step.depends_on ?? []) addEdge(step.id, dependency, `${at}.depends_on`);
    for (const [field, template] of templatesOf(step)) for (const id of templateStepReferences(template, `${at}.${field}`, field.startsWith("step."))) addEdge(step.id, id, `${at}.${field}`);
    switch (step.type) {
      case "condition": {
        const targets = new Set<string>();
        step.cases.forEach((entry, caseIndex) => {
          const param = `${at}.cases[${caseIndex}]`;
          let parsed;
          try {
            parsed = parseCondition(entry.when);
          } catch (error) {
            throw new InvalidRequestError({ message: `Invalid '${param}.when': ${(error as Error).message}.`, param: `${param}.when`, code: "invalid_condition" });
          }
          for (const id of conditionStepReferences(parsed)) addEdge(step.id, id, `${param}.when`);
          for (const next of entry.next) {
            addEdge(next, step.id, `${param}.next`);
            targets.add(next);
          }
        });
        for (const next of step.default ?? []) {
          addEdge(next, step.id, `${at}.default`);
          targets.add(next);
        }
        branchTargets.set(step.id, targets);
        break;
      }
      case "parallel":
        for (const branch of step.branches) known(branch, `${at}.branches`);
        break;
      case "llm":
      case "agent":
      case "tool":
      case "code":
      case "map":
      case "human_input":
        break;
      default:
        step satisfies never;
    }
  });
  // A parallel step fans out to its branches (they inherit its dependencies) and joins them (it waits for all).
  definition.steps.forEach((step, index) => {
    if (step.type !== "parallel") return;
    const inherited = [...edges.get(step.id)!];
    for (const branch of step.branches) {
      edges.get(branch)!.push(...inherited.filter((edge) => edge.from !== branch));
      edges.get(step.id)!.push({ from: branch, param: `steps[${index}].branches` });
    }
  });

  assertAcyclic(definition.steps.map((step) => step.id), edges);
  const dependencies = new Map([...edges].map(([id, list]) => [id, new Set(list.map((edge) => edge.from))]));
  return { order: definition.steps.map((step) => step.id), steps, dependencies, branchTargets };
}

/** Whether running the workflow executes code (a `code` step, or a map over one): needs a key allowed to run code. */
export function requiresCodeExecution(definition: WorkflowDefinition): boolean {
  return definition.steps.some((step) => step.type === "code" || (step.type === "map" && step.step.type === "code"));
}

/** The templated fields of a step, by field path. */
function templatesOf(step: WorkflowStep): Array<[string, string]> {
  const item = (body: WorkflowItemStep, prefix: string): Array<[string, string]> => {
    switch (body.type) {
      case "llm":
        return [[`${prefix}model`, body.model], [`${prefix}prompt`, body.prompt], ...(body.system === undefined ? [] : [[`${prefix}system`, body.system] as [string, string]])];
      case "agent":
        return [[`${prefix}input`, body.input]];
      case "tool":
        return collectStrings(body.arguments).map((text) => [`${prefix}arguments`, text]);
      case "code":
        return [];
      default:
        return body satisfies never;
    }
  };
  switch (step.type) {
    case "llm":
    case "agent":
    case "tool":
    case "code":
      return item(step, "");
    case "map":
      return [["over", step.over], ...item(step.step, "step.")];
    case "human_input":
      return [["prompt", step.prompt]];
    case "condition":
    case "parallel":
      return [];
    default:
      return step satisfies never;
  }
}

function collectStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(collectStrings);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(collectStrings);
  return [];
}

function templateStepReferences(template: string, param: string, allowItem: boolean): string[] {
  const ids: string[] = [];
  for (const path of templatePaths(template)) {
    const segments = parsePath(path);
    if (!segments || ((segments[0] === "item" || segments[0] === "index") && !allowItem) || (segments[0] === "steps" && (typeof segments[1] !== "string" || segments[2] !== "output"))) {
      throw new InvalidRequestError({
        message: `Invalid '${param}': {{${path}}} is not a reference (inputs.<name>, steps.<id>.output…${allowItem ? ", item…, index" : ""}).`,
        param,
        code: "invalid_template",
      });
    }
    if (segments[0] === "steps") ids.push(segments[1] as string);
  }
  return ids;
}

function assertAcyclic(ids: string[], edges: Map<string, Edge[]>): void {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (id: string): void => {
    state.set(id, "visiting");
    stack.push(id);
    for (const edge of edges.get(id) ?? []) {
      const mark = state.get(edge.from);
      if (mark === "visiting") {
        const cycle = [...stack.slice(stack.indexOf(edge.from)), edge.from].reverse();
        throw new InvalidRequestError({ message: `Invalid '${edge.param}': the steps form a cycle: ${cycle.join(" → ")}.`, param: edge.param, code: "workflow_cycle" });
      }
      if (mark === undefined) visit(edge.from);
    }
    stack.pop();
    state.set(id, "done");
  };
  for (const id of ids) if (!state.has(id)) visit(id);
}
