import type { DatabaseExecutor } from "../../store/index.js";
import type { BootstrapOptions } from "../metrics/bootstrap-interval.js";
import type { EvalRunRecord } from "../store/eval-run-repository.js";
import type { ParsedEvalRunRequest } from "./eval-run-request.js";
import type { GenerationBackend, LoglikelihoodBackend } from "../types.js";

/** What the run orchestrator needs; the platform wires these once. */
export type EvalRunDependencies = {
  /** The database (or `{ db: transaction }`). */
  database: DatabaseExecutor;
  /**
   * The log-likelihood backend of a model name (local pool or an OpenAI-compatible route); `run` is the run it serves
   * (e.g. to bill its key).
   */
  loglikelihoodBackend(model: string, run: EvalRunRecord): LoglikelihoodBackend | Promise<LoglikelihoodBackend>;
  /** The generation backend of a model name, for generative tasks (gsm8k, humaneval). Absent: they are refused. */
  generationBackend?: ((model: string, run: EvalRunRecord) => GenerationBackend | Promise<GenerationBackend>) | undefined;
  /** Clock in epoch ms. Defaults to `Date.now`. */
  now?: (() => number) | undefined;
  /** Run id generator. Defaults to `evr_` + 16 random bytes (base64url). */
  newId?: (() => string) | undefined;
  /**
   * A running run whose job's heartbeat is older than this (or whose process is gone from this host) is listed as
   * `interrupted`. Defaults to the job runner's lease (30000 ms).
   */
  jobLeaseMs?: number | undefined;
  /**
   * The paths a run reads its dataset from: a run of a configured dataset (`storedDataset`) has its files unpacked
   * from the database on this instance. Absent: `dataPath` / `fewShotPath` are read as they are.
   */
  datasetPaths?: ((request: ParsedEvalRunRequest) => Promise<ParsedEvalRunRequest>) | undefined;
};

export type ExecuteEvalRunOptions = {
  /** Stops the run at the next item; the run ends `cancelled` with everything finished so far kept. */
  signal?: AbortSignal | undefined;
  /** Called after each finished item with the items done so far (stored or not yet) and the total. */
  onProgress?: ((done: number, total: number) => void) | undefined;
  /** Items written per transaction. Defaults to 4. */
  commitEvery?: number | undefined;
  /**
   * Items scored at once (each on its own sequence of a local model). Defaults to the backend's `itemsInFlight` (the
   * native scorer's batches), else 1, which keeps in-process decoding deterministic: there batch composition changes
   * floating-point results slightly.
   */
  concurrency?: number | undefined;
  /** Bootstrap of the metric intervals. Defaults to 1000 rounds, seed 1234. */
  bootstrap?: BootstrapOptions | undefined;
};
