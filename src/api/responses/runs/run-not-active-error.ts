/** A run's response was ended from outside its executor (cancelled, superseded): the executor stops, writing nothing. */
export class RunNotActiveError extends Error {
  constructor(responseId: string) {
    super(`response ${responseId} is no longer active`);
    this.name = "RunNotActiveError";
  }
}
