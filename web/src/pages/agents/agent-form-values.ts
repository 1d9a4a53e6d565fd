import type { AgentDefinition } from "./agent-types";

export type ApprovalMode = "always" | "never";

/** The agent form's fields: plain inputs for the common parts, JSON text for tools, memory and the output format. */
export type AgentFormValues = {
  name: string;
  description: string;
  role: string;
  persona: string;
  instructions: string;
  model: string;
  fallbackModels: string[];
  planning: boolean;
  handoffs: string[];
  approvalDefault: ApprovalMode;
  approvalRules: Array<{ tool: string; mode: ApprovalMode }>;
  maxSteps: number | string;
  maxToolCalls: number | string;
  maxCost: number | string;
  tools: string;
  memory: string;
  textFormat: string;
};

export type AgentFormField = keyof AgentFormValues;

export const emptyAgentForm: AgentFormValues = {
  name: "",
  description: "",
  role: "",
  persona: "",
  instructions: "",
  model: "",
  fallbackModels: [],
  planning: false,
  handoffs: [],
  approvalDefault: "never",
  approvalRules: [],
  maxSteps: "",
  maxToolCalls: "",
  maxCost: "",
  tools: "[]",
  memory: JSON.stringify({ blocks: [], recall: false }, null, 2),
  textFormat: "",
};

const pretty = (value: unknown) => JSON.stringify(value, null, 2);

/** A stored definition as form values (every field the API keeps, so saving unchanged fields changes nothing). */
export function formValuesOf(definition: AgentDefinition): AgentFormValues {
  return {
    name: definition.name,
    description: definition.description ?? "",
    role: definition.profile?.role ?? "",
    persona: definition.profile?.persona ?? "",
    instructions: definition.instructions ?? "",
    model: definition.model,
    fallbackModels: definition.fallback_models,
    planning: definition.planning,
    handoffs: definition.handoffs,
    approvalDefault: definition.approval.default,
    approvalRules: Object.entries(definition.approval.per_tool).map(([tool, mode]) => ({ tool, mode })),
    maxSteps: definition.limits.max_steps ?? "",
    maxToolCalls: definition.limits.max_tool_calls ?? "",
    maxCost: definition.limits.max_cost ?? "",
    tools: pretty(definition.tools),
    memory: pretty(definition.memory),
    textFormat: definition.text ? pretty(definition.text) : "",
  };
}

export type BuiltDefinition = { ok: true; definition: Record<string, unknown> } | { ok: false; errors: Partial<Record<AgentFormField, string>> };

function parseJsonField(text: string, field: AgentFormField, errors: Partial<Record<AgentFormField, string>>): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    errors[field] = `Not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
    return undefined;
  }
}

const numberOrUndefined = (value: number | string) => (value === "" ? undefined : Number(value));

/**
 * The definition the form describes, as `POST /v1/agents` takes it. Only JSON syntax is checked here; everything else
 * (names, models, schemas, limits) is the API's to validate, and its errors are shown at the field they name.
 */
export function buildDefinition(values: AgentFormValues): BuiltDefinition {
  const errors: Partial<Record<AgentFormField, string>> = {};
  const tools = parseJsonField(values.tools.trim() === "" ? "[]" : values.tools, "tools", errors);
  const memory = parseJsonField(values.memory.trim() === "" ? "{}" : values.memory, "memory", errors);
  const text = values.textFormat.trim() === "" ? undefined : parseJsonField(values.textFormat, "textFormat", errors);
  const perTool: Record<string, ApprovalMode> = {};
  for (const rule of values.approvalRules) {
    if (rule.tool.trim() === "") {
      errors.approvalRules = "Every approval rule needs a tool name.";
      continue;
    }
    perTool[rule.tool.trim()] = rule.mode;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const profile = { ...(values.role.trim() ? { role: values.role } : {}), ...(values.persona.trim() ? { persona: values.persona } : {}) };
  const limits = { max_steps: numberOrUndefined(values.maxSteps), max_tool_calls: numberOrUndefined(values.maxToolCalls), max_cost: numberOrUndefined(values.maxCost) };
  const definition: Record<string, unknown> = {
    name: values.name.trim(),
    ...(values.description.trim() ? { description: values.description } : {}),
    ...(Object.keys(profile).length > 0 ? { profile } : {}),
    ...(values.instructions.trim() ? { instructions: values.instructions } : {}),
    model: values.model.trim(),
    fallback_models: values.fallbackModels,
    tools,
    planning: values.planning,
    handoffs: values.handoffs,
    approval: { default: values.approvalDefault, per_tool: perTool },
    memory,
    limits: Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined)),
    ...(text === undefined ? {} : { text }),
  };
  return { ok: true, definition };
}

/** Which form field an API error's `param` (`tools[0].type`, `limits.max_steps`, `memory.blocks[1].label`) is about. */
export function fieldOfParam(param: string | undefined): AgentFormField | undefined {
  if (!param) return undefined;
  const head = param.split(/[.[]/, 1)[0];
  switch (head) {
    case "name":
    case "description":
    case "instructions":
    case "model":
    case "planning":
    case "handoffs":
    case "tools":
    case "memory":
      return head;
    case "fallback_models":
      return "fallbackModels";
    case "text":
      return "textFormat";
    case "profile":
      return param.startsWith("profile.persona") ? "persona" : "role";
    case "approval":
      return param.startsWith("approval.per_tool") ? "approvalRules" : "approvalDefault";
    case "limits":
      if (param.startsWith("limits.max_steps")) return "maxSteps";
      if (param.startsWith("limits.max_tool_calls")) return "maxToolCalls";
      if (param.startsWith("limits.max_cost")) return "maxCost";
      return "maxSteps";
    default:
      return undefined;
  }
}
