/**
 * Whether a run executes model-written code (in the sandbox): the built-in `humaneval` task and custom tasks with a
 * `code-execution` scorer. Such runs need the sandbox and, over the API, an admin key or a key granted code execution.
 * An inline definition decides alone (a definition named `humaneval` with another scorer runs no code).
 */
export function requiresCodeExecution(request: { task?: string | undefined; taskDefinition?: { scorer: { type: string } } | undefined }): boolean {
  if (request.taskDefinition) return request.taskDefinition.scorer.type === "code-execution";
  return request.task === "humaneval";
}
