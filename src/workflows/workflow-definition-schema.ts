import { z } from "zod";

const stepId = z
  .string({ error: "a step id must be a string" })
  .regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, { error: "a step id is 1-64 letters, digits, `_` or `-`, starting with a letter or `_`" });
const stepIds = z.union([stepId, z.array(stepId).max(64)]).transform((value) => (typeof value === "string" ? [value] : value));
const template = (name: string, max = 65_536) => z.string({ error: `${name} must be a string` }).max(max, { error: `${name} must be at most ${max} characters` });

const edges = { next: stepIds.optional(), depends_on: stepIds.optional(), description: z.string().max(1024).optional() };

const jsonSchemaFormat = z.strictObject({
  type: z.literal("json_schema"),
  name: z.string().min(1).max(64),
  schema: z.record(z.string(), z.unknown()),
  strict: z.boolean().optional(),
});

/** What an `llm`, `agent`, `tool` or `code` step does (also the item step of a `map`). */
const llmBody = {
  type: z.literal("llm"),
  /** A model name (may be a template, e.g. `{{inputs.model}}`). */
  model: template("model", 256),
  system: template("system").optional(),
  prompt: template("prompt"),
  max_tokens: z.number().int().positive().max(1_000_000).optional(),
  temperature: z.number().min(0).max(2).optional(),
  text: z.strictObject({ format: z.union([z.strictObject({ type: z.literal("text") }), z.strictObject({ type: z.literal("json_object") }), jsonSchemaFormat]) }).optional(),
};
const agentBody = { type: z.literal("agent"), agent: z.string().min(1).max(256), input: template("input") };
const toolBody = { type: z.literal("tool"), tool: z.string().min(1).max(64), arguments: z.record(z.string(), z.unknown()).default({}) };
const codeBody = {
  type: z.literal("code"),
  language: z.literal("python").default("python"),
  /** Python source; it reads `{"inputs":…,"steps":{id: output},"item":…}` as JSON on stdin and prints its output (JSON or text). */
  source: template("source", 262_144),
  timeout_ms: z.number().int().positive().max(600_000).optional(),
};

const itemStepSchema = z.discriminatedUnion("type", [z.strictObject(llmBody), z.strictObject(agentBody), z.strictObject(toolBody), z.strictObject(codeBody)]);

const stepSchema = z.discriminatedUnion("type", [
  z.strictObject({ id: stepId, ...edges, ...llmBody }),
  z.strictObject({ id: stepId, ...edges, ...agentBody }),
  z.strictObject({ id: stepId, ...edges, ...toolBody }),
  z.strictObject({ id: stepId, ...edges, ...codeBody }),
  z.strictObject({
    id: stepId,
    ...edges,
    type: z.literal("condition"),
    /** Tried in order: the first case whose `when` holds runs its `next` steps; the other cases' steps are skipped. */
    cases: z.array(z.strictObject({ when: z.string().min(1).max(4096), next: stepIds })).min(1).max(32),
    /** Steps run when no case holds. */
    default: stepIds.optional(),
  }),
  z.strictObject({ id: stepId, ...edges, type: z.literal("parallel"), branches: z.array(stepId).min(1).max(64) }),
  z.strictObject({
    id: stepId,
    ...edges,
    type: z.literal("map"),
    /** A template that yields a list (e.g. `{{steps.plan.output.tasks}}`; a JSON array in text works too). */
    over: template("over", 4096),
    step: itemStepSchema,
    max_concurrency: z.number().int().min(1).max(64).default(4),
  }),
  z.strictObject({ id: stepId, ...edges, type: z.literal("human_input"), prompt: template("prompt"), schema: z.record(z.string(), z.unknown()).optional() }),
]);

const inputSchema = z.strictObject({
  type: z.enum(["string", "number", "integer", "boolean", "array", "object"]).default("string"),
  description: z.string().max(1024).optional(),
  default: z.unknown().optional(),
});

/**
 * A workflow definition (a YAML or JSON file, or the body of `POST /v1/workflows`): named inputs and a graph of steps
 * joined by `next` / `depends_on` edges (template references `{{steps.x.output}}` are edges too).
 */
export const workflowDefinitionSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { error: "name is 1-64 letters, digits, `_`, `.` or `-`" }),
  description: z.string().max(4096).optional(),
  inputs: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/), inputSchema).default({}),
  steps: z.array(stepSchema).min(1).max(256),
  /** The run's output (a template); defaults to the output of the last step that ran. */
  output: z.string().max(65_536).optional(),
});

export type WorkflowDefinition = z.infer<typeof workflowDefinitionSchema>;
export type WorkflowStep = WorkflowDefinition["steps"][number];
export type WorkflowItemStep = z.infer<typeof itemStepSchema>;
export type WorkflowStepType = WorkflowStep["type"];
