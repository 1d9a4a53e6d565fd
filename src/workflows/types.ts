import type { WorkflowDefinition } from "./workflow-definition-schema.js";

/** A stored workflow: its latest version (`version`, from 1; each update adds one) and that version's definition. Times are epoch milliseconds. */
export type WorkflowRecord = { id: string; name: string; ownerId: string; version: number; definition: WorkflowDefinition; createdAt: number; updatedAt: number };

/** One immutable version of a workflow. */
export type WorkflowVersionRecord = { workflowId: string; version: number; definition: WorkflowDefinition; createdAt: number };

/** Lifecycle of a run: `queued` → `running` ⇄ `awaiting_input` → `completed` | `failed` | `cancelled`. */
export type WorkflowRunStatus = "queued" | "running" | "awaiting_input" | "completed" | "failed" | "cancelled";

/** A step's state in the log; a step not in the log is `pending`. */
export type WorkflowStepStatus = "running" | "waiting" | "completed" | "failed" | "skipped";

/** One logged step (`key`: the step id, or `id[i]` for item i of a map). */
export type WorkflowStepRecord = { key: string; status: WorkflowStepStatus; output: unknown; error: string | null; attempts: number; createdAt: number; updatedAt: number };

/** A run as stored. */
export type WorkflowRunRecord = {
  id: string;
  workflowId: string;
  /** The workflow version it ran. */
  workflowVersion: number;
  /** The API key that started it, or `local` (the CLI operator). */
  keyId: string;
  status: WorkflowRunStatus;
  definition: WorkflowDefinition;
  inputs: Record<string, unknown>;
  output: unknown;
  error: { code: string; message: string } | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
};

/** Who acts on workflows: an API key, or the local operator (`keyId` undefined; sees everything). */
export type WorkflowAccessor = { keyId: string | undefined; isAdmin: boolean; allowCodeExecution: boolean };

/** The owner id (and run key id) of what the local operator creates. */
export const localWorkflowOwnerId = "local";
