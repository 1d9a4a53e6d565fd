import { ConflictError, InvalidRequestError } from "../spec/index.js";

/** `pull_in_progress`: another pull already downloads a model under this name. */
export function pullInProgressError(name: string, pullId: string): ConflictError {
  return new ConflictError({ message: `pull ${pullId} is already downloading a model named ${name}; wait for it or cancel it`, param: "name", code: "pull_in_progress" });
}

/** A model of that name is already registered (the same error as registering it twice). */
export function modelExistsError(name: string): InvalidRequestError {
  return new InvalidRequestError({ message: `model ${name} already exists; choose another name or delete that model first`, param: "name" });
}

/** `pull_not_cancellable` / `pull_not_retryable`: the pull's status does not allow the action. */
export function pullStateError(id: string, status: string, action: "cancel" | "retry"): ConflictError {
  const reason = action === "cancel" ? `cannot be cancelled: it is already ${status}` : `cannot be retried: it is ${status} (only failed or cancelled pulls can)`;
  return new ConflictError({ message: `pull ${id} ${reason}`, param: "id", code: action === "cancel" ? "pull_not_cancellable" : "pull_not_retryable" });
}
