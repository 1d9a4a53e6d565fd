import { z } from "zod";
// A leaf module (zod only): the bounds every JSON Schema input shares, in one place.
import { jsonSchemaField } from "../api/request/json-schema-field.js";
import { memoryLimitProblem } from "./memory/memory-limit-problem.js";

/** Agent names: what handoffs, agent tools and the CLI refer to. */
export const agentName = z
  .string({ error: "name must be a string" })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: "name must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit" });

const toolName = z.string({ error: "name must be a string" }).regex(/^[A-Za-z0-9_-]{1,64}$/, { error: "name must be 1-64 letters, digits, underscores or dashes" });
const modelName = z.string({ error: "model must be a string naming a model" }).min(1, { error: "model must not be empty" }).max(256, { error: "model must be at most 256 characters" });
const text = (field: string, max: number) => z.string({ error: `${field} must be a string` }).max(max, { error: `${field} must be at most ${max} characters` });
const positiveInteger = (field: string, max: number) =>
  z.number({ error: `${field} must be an integer from 1 to ${max}` }).int({ error: `${field} must be an integer from 1 to ${max}` }).min(1, { error: `${field} must be an integer from 1 to ${max}` }).max(max, { error: `${field} must be an integer from 1 to ${max}` });
const approvalMode = z.enum(["always", "never"], { error: 'approval must be "always" or "never"' });

/** Most characters a memory block may be limited to. */
export const maxMemoryBlockChars = 100_000;

const functionTool = z.strictObject({
  type: z.literal("function"),
  name: toolName,
  description: text("description", 4096).optional(),
  parameters: jsonSchemaField("parameters").optional(),
  strict: z.boolean({ error: "strict must be a boolean" }).optional(),
});

const mcpTool = z.strictObject({
  type: z.literal("mcp"),
  server_label: z.string({ error: "server_label must be a string" }).regex(/^[A-Za-z0-9_-]{1,64}$/, { error: "server_label must be 1-64 letters, digits, underscores or dashes" }),
  server_url: z.url({ protocol: /^https?$/, error: "server_url must be an http(s) URL" }).optional(),
  allowed_tools: z.array(toolName, { error: "allowed_tools must be an array of tool names" }).max(256).optional(),
  require_approval: z
    .union([approvalMode, z.strictObject({ always: z.strictObject({ tool_names: z.array(toolName) }).optional(), never: z.strictObject({ tool_names: z.array(toolName) }).optional() })], {
      error: 'require_approval must be "always", "never" or {always: {tool_names}, never: {tool_names}}',
    })
    .optional(),
});

const builtinTool = z.discriminatedUnion(
  "name",
  [
    z.strictObject({
      type: z.literal("builtin"),
      name: z.literal("knowledge_search"),
      knowledge_bases: z.array(z.string({ error: "knowledge_bases must name knowledge bases" }).min(1), { error: "knowledge_bases must be an array of knowledge base names" }).min(1, { error: "knowledge_bases must name at least one knowledge base" }).max(16),
      max_results: positiveInteger("max_results", 50).optional(),
    }),
    z.strictObject({
      type: z.literal("builtin"),
      name: z.literal("http_fetch"),
      allowed_domains: z.array(z.string().min(1).max(253), { error: "allowed_domains must be an array of host names" }).max(256).optional(),
      max_bytes: positiveInteger("max_bytes", 10 << 20).optional(),
    }),
    z.strictObject({
      type: z.literal("builtin"),
      name: z.literal("code_interpreter"),
      language: z.enum(["python", "javascript"], { error: 'language must be "python" or "javascript"' }).optional(),
      timeout_seconds: positiveInteger("timeout_seconds", 600).optional(),
    }),
    z.strictObject({ type: z.literal("builtin"), name: z.literal("memory") }),
  ],
  { error: 'builtin tool name must be "knowledge_search", "http_fetch", "code_interpreter" or "memory"' },
);

const agentTool = z.strictObject({
  type: z.literal("agent"),
  agent: agentName,
  /** The tool's name as the model sees it; defaults to the agent's name. */
  name: toolName.optional(),
  description: text("description", 4096).optional(),
});

const tool = z.discriminatedUnion("type", [functionTool, mcpTool, builtinTool, agentTool], {
  error: 'tool type must be "function", "mcp", "builtin" or "agent"',
});

const memoryBlock = z
  .strictObject({
    label: z.string({ error: "label must be a string" }).regex(/^[a-z0-9_]{1,64}$/, { error: "label must be 1-64 lowercase letters, digits or underscores" }),
    description: text("description", 1024).optional(),
    limit_chars: positiveInteger("limit_chars", maxMemoryBlockChars).default(2000),
    initial_value: text("initial_value", maxMemoryBlockChars).default(""),
    read_only: z.boolean({ error: "read_only must be a boolean" }).default(false),
  })
  .superRefine((block, context) => {
    const problem = memoryLimitProblem(block, block.initial_value);
    if (problem !== undefined) context.addIssue({ code: "custom", path: ["initial_value"], params: { code: "memory_limit_exceeded" }, message: problem });
  });

const textFormat = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ type: z.literal("text") }),
    z.strictObject({ type: z.literal("json_object") }),
    z.strictObject({ type: z.literal("json_schema"), name: toolName, schema: jsonSchemaField("schema"), description: text("description", 4096).optional(), strict: z.boolean().optional() }),
  ],
  { error: 'text.format.type must be "text", "json_object" or "json_schema"' },
);

/**
 * An agent definition (a YAML or JSON file, or the body of `POST /v1/agents`): who the agent is, which model runs it,
 * its tools, handoffs, approval policy, memory and limits. Strict: an unknown field is a 400 naming it.
 */
export const agentDefinitionSchema = z
  .strictObject(
    {
      name: agentName,
      description: text("description", 1024).optional(),
      profile: z.strictObject({ role: text("role", 256).optional(), persona: text("persona", 8192).optional() }, { error: "profile must be an object" }).optional(),
      instructions: text("instructions", 65_536).optional(),
      model: modelName,
      fallback_models: z.array(modelName, { error: "fallback_models must be an array of model names" }).max(8, { error: "fallback_models may name at most 8 models" }).default([]),
      tools: z.array(tool, { error: "tools must be an array of tools" }).max(128, { error: "tools may hold at most 128 tools" }).default([]),
      /** Whether a run starts with a planner call that writes a plan the run follows (and revises after tool errors). */
      planning: z.boolean({ error: "planning must be a boolean" }).default(false),
      handoffs: z.array(agentName, { error: "handoffs must be an array of agent names" }).max(32, { error: "handoffs may name at most 32 agents" }).default([]),
      approval: z
        .strictObject({ default: approvalMode.default("never"), per_tool: z.record(toolName, approvalMode, { error: "per_tool must map tool names to \"always\" or \"never\"" }).default({}) }, { error: "approval must be an object" })
        .default({ default: "never", per_tool: {} }),
      memory: z
        .strictObject(
          {
            blocks: z.array(memoryBlock, { error: "blocks must be an array of memory blocks" }).max(32, { error: "blocks may hold at most 32 memory blocks" }).default([]),
            recall: z.boolean({ error: "recall must be a boolean" }).default(false),
            archival_knowledge_base: z.string({ error: "archival_knowledge_base must name a knowledge base" }).min(1).optional(),
          },
          { error: "memory must be an object" },
        )
        .default({ blocks: [], recall: false }),
      limits: z
        .strictObject(
          {
            max_steps: positiveInteger("max_steps", 1000).optional(),
            max_tool_calls: positiveInteger("max_tool_calls", 10_000).optional(),
            max_cost: z.number({ error: "max_cost must be a number of dollars" }).positive({ error: "max_cost must be a positive number of dollars" }).max(1_000_000).optional(),
          },
          { error: "limits must be an object" },
        )
        .default({}),
      text: z.strictObject({ format: textFormat }, { error: "text must be an object" }).optional(),
    },
    { error: "an agent definition must be an object" },
  )
  .superRefine((definition, context) => {
    const labels = new Set<string>();
    definition.memory.blocks.forEach((block, index) => {
      if (labels.has(block.label)) context.addIssue({ code: "custom", path: ["memory", "blocks", index, "label"], message: `memory block label '${block.label}' is used twice` });
      labels.add(block.label);
    });
    const toolNames = new Set<string>();
    definition.tools.forEach((entry, index) => {
      const name = entry.type === "mcp" ? undefined : entry.type === "agent" ? (entry.name ?? entry.agent) : entry.name;
      if (name === undefined) return;
      if (toolNames.has(name)) context.addIssue({ code: "custom", path: ["tools", index, "name"], message: `tool name '${name}' is used twice` });
      toolNames.add(name);
    });
    definition.handoffs.forEach((target, index) => {
      if (target === definition.name) context.addIssue({ code: "custom", path: ["handoffs", index], message: `agent '${definition.name}' cannot hand off to itself` });
    });
    definition.tools.forEach((entry, index) => {
      if (entry.type === "agent" && entry.agent === definition.name) context.addIssue({ code: "custom", path: ["tools", index, "agent"], message: `agent '${definition.name}' cannot use itself as a tool` });
    });
  });

/** A parsed agent definition, defaults applied (what is stored as a version and exported). */
export type AgentDefinition = z.output<typeof agentDefinitionSchema>;
/** An agent definition as written in a file or request body (defaults optional). */
export type AgentDefinitionInput = z.input<typeof agentDefinitionSchema>;
export type AgentTool = AgentDefinition["tools"][number];
export type MemoryBlockDefinition = AgentDefinition["memory"]["blocks"][number];
