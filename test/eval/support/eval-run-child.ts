// A separate process that executes (resumes) an eval run and reports progress on stdout; the test kills it with SIGKILL.
import { createLocalLoglikelihoodBackend, resumeEvalRun } from "../../../src/eval/index.js";
import { openDatabase } from "../../../src/store/index.js";
import { createTestRuntime, registeredEvalModel } from "./local-backend.js";

const [databaseUrl, runId] = process.argv.slice(2);
const database = await openDatabase(databaseUrl!);
const runtime = createTestRuntime();
const model = await registeredEvalModel("stories260K.gguf");
const execution = await resumeEvalRun(
  { database, loglikelihoodBackend: () => createLocalLoglikelihoodBackend(runtime, model) },
  runId!,
  { commitEvery: 1, onProgress: (done, total) => process.stdout.write(`done ${done}/${total}\n`) },
);
process.stdout.write(`finished ${execution.run.status}\n`);
await runtime.dispose();
await database.dispose();
