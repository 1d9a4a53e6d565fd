export type * from "./types.js";

// datasets
export { parseCsv, parseCsvWithHeader, type ParseCsvOptions } from "./datasets/parse-csv.js";
export { parseOrderedJson, orderedJsonToPlain, type OrderedJsonValue } from "./datasets/parse-ordered-json.js";
export { parseJsonLines, parseJsonDocument } from "./datasets/parse-json-lines.js";
export { readDatasetText, readDatasetBytes } from "./datasets/read-dataset-file.js";
export { parseHellaswagText, loadHellaswagText, type HellaswagItem } from "./datasets/hellaswag-text.js";
export type { WinograndeItem } from "./datasets/winogrande-item.js";
export { parseWinograndeCsv, loadWinograndeCsv, type WinograndeCsv, type SkippedRow } from "./datasets/winogrande-csv.js";
export { parseWinograndeJsonl, loadWinograndeJsonl } from "./datasets/winogrande-jsonl.js";
export {
  parseMultipleChoiceBinary,
  encodeMultipleChoiceBinary,
  loadMultipleChoiceBinary,
  type MultipleChoiceBinaryTask,
  type MultipleChoiceAnswers,
} from "./datasets/multiple-choice-binary.js";
export { parseArcJsonl, loadArcJsonl, type ArcItem } from "./datasets/arc-jsonl.js";
export { parseArcEasyFoundryJsonl, loadArcEasyFoundryJsonl } from "./datasets/arc-easy-foundry.js";
export { parseMmluCsv, loadMmlu, mmluSubjectOfFile, type MmluItem, type MmluSubject, type LoadMmluOptions } from "./datasets/mmlu-csv.js";
export { parseTruthfulqaMc, loadTruthfulqaMc, type TruthfulqaItem, type TruthfulqaTargets } from "./datasets/truthfulqa-mc.js";
export { parseGsm8kJsonl, loadGsm8kJsonl, type Gsm8kItem } from "./datasets/gsm8k-jsonl.js";
export { parseHumanevalJsonl, loadHumanevalJsonl, type HumanevalItem } from "./datasets/humaneval-jsonl.js";
export {
  parseDoNotAnswerQuestions,
  parseDoNotAnswerLabelled,
  loadDoNotAnswerQuestions,
  loadDoNotAnswerLabelled,
  doNotAnswerActions,
  type DoNotAnswerAction,
  type DoNotAnswerQuestion,
  type DoNotAnswerLabelledItem,
  type LabelledResponse,
} from "./datasets/do-not-answer-csv.js";

// scoring
export { commonPrefixLength } from "./scoring/common-prefix-length.js";
export { argmaxStrict, argmaxNumpy } from "./scoring/argmax.js";
export { scoreLlamaCppCandidates, type LlamaCppCandidatesScore, type LlamaCppCandidatesOptions } from "./scoring/llama-cpp-candidates-score.js";
export {
  scoreLlamaCppWinogrande,
  winograndeMinimumTrailingContext,
  type LlamaCppWinograndeScore,
  type WinograndeSentence,
} from "./scoring/llama-cpp-winogrande-score.js";
export { encodeLmEvalPair, type EncodedPair, type LmEvalEncodingOptions } from "./scoring/lm-eval-encode-pair.js";
export { computeLmEvalLoglikelihoods, type LoglikelihoodRequest, type LmEvalLoglikelihoods } from "./scoring/lm-eval-loglikelihoods.js";
export { lmEvalChoiceMetrics, type LmEvalChoiceMetrics } from "./scoring/lm-eval-choice-metrics.js";
export { truthfulqaMc2Score } from "./scoring/truthfulqa-mc2-score.js";
export { oneHotLabels, type MultipleChoiceItem, type LlamaCppQuery, type LmEvalQuery } from "./scoring/multiple-choice-item.js";
export { evaluateMultipleChoiceItem, type MultipleChoiceRecord, type EvaluateItemOptions } from "./scoring/evaluate-multiple-choice-item.js";
export { runMultipleChoiceItems, summarizeRecords, type RunMultipleChoiceOptions, type MultipleChoiceRun } from "./scoring/run-multiple-choice-items.js";

// built-in tasks
export { buildHellaswagItems, preprocessHellaswagText } from "./tasks/hellaswag-task.js";
export { buildWinograndeItems } from "./tasks/winogrande-task.js";
export { buildArcItems, arcPrompt } from "./tasks/arc-task.js";
export { buildMmluItems, mmluDescription, mmluQuestionText, type MmluPromptOptions } from "./tasks/mmlu-task.js";
export { buildTruthfulqaMc1Items, buildTruthfulqaMc2Items, truthfulqaPrimer, truthfulqaPrompt } from "./tasks/truthfulqa-task.js";
export { buildMultipleChoiceBinaryItems } from "./tasks/multiple-choice-binary-task.js";
export {
  builtInTasks,
  getBuiltInTask,
  type BuiltInTaskDefinition,
  type LoglikelihoodTaskDefinition,
  type GenerativeTaskDefinition,
  type LoadTaskOptions,
} from "./tasks/built-in-tasks.js";

// generative
export { PythonRandom } from "./generative/python-random.js";
export { buildGsm8kPrompts, gsm8kQuestionText, gsm8kStopSequences, gsm8kMaximumTokens, type Gsm8kPrompt, type Gsm8kPromptOptions } from "./generative/gsm8k-prompts.js";
export {
  extractWithRegex,
  gsm8kStrictMatch,
  gsm8kFlexibleExtract,
  gsm8kStrictPattern,
  gsm8kFlexiblePattern,
  invalidAnswer,
} from "./generative/regex-extraction.js";
export { exactMatch, gsm8kExactMatchOptions, type ExactMatchOptions } from "./generative/exact-match.js";
export { scoreGsm8kResponse, type Gsm8kScore } from "./generative/score-gsm8k-response.js";
export { truncateAtStop } from "./generative/truncate-at-stop.js";
export { humanevalProgram, humanevalStopSequences, humanevalMaximumTokens } from "./generative/humaneval-program.js";
export { passAtK } from "./generative/pass-at-k.js";
export { checkHumanevalCompletion, type HumanevalCheck, type HumanevalCheckOptions } from "./generative/run-humaneval-item.js";

// metrics
export { mean, sampleStandardError } from "./metrics/mean-and-stderr.js";
export { quantileSorted } from "./metrics/quantile.js";
export { bootstrapMeanInterval, type BootstrapOptions } from "./metrics/bootstrap-interval.js";
export { summarizeMetric } from "./metrics/summarize-metric.js";
export { wilsonInterval, z95 } from "./metrics/wilson-interval.js";
export { pairedDifference, type PairedDifference } from "./metrics/paired-difference.js";
export { aggregateByTags, type TaskScore, type TagAggregate } from "./metrics/aggregate-by-tags.js";

// arena
export {
  battleSchema,
  battleWinners,
  parseBattleLog,
  serializeBattleLog,
  filterBattles,
  battleOutcome,
  type Battle,
  type BattleWinner,
  type BattleFilter,
} from "./arena/battle-log.js";
export { computeOnlineElo, type EloOptions } from "./arena/online-elo.js";
export { toBattleRows, fitBradleyTerry, solveBradleyTerry, scaleRatings, type BattleRows, type BradleyTerryOptions } from "./arena/bradley-terry.js";
export { bootstrapBradleyTerry, type BootstrapBradleyTerryOptions, type RatingInterval } from "./arena/bootstrap-bradley-terry.js";
export { computeLeaderboard, computeCategoryLeaderboards, type Leaderboard, type LeaderboardEntry, type LeaderboardOptions } from "./arena/leaderboard.js";

// custom tasks
export { customTaskSchema, type CustomTaskDefinition, type CustomTaskScorer } from "./custom/custom-task-schema.js";
export {
  parseCustomTask,
  parseCustomTaskValue,
  readCustomTaskFile,
  resolveCustomTaskPaths,
  loadCustomTask,
  loadCustomTaskDocuments,
  loadRecords,
  type LoadedCustomTask,
} from "./custom/load-custom-task.js";
export { renderTemplate, valueAtPath } from "./custom/render-template.js";
export { buildCustomPrompts, buildCustomMultipleChoiceItems, choicesOf, goldIndexOf, type CustomPrompt } from "./custom/build-custom-prompts.js";
export { scoreCustomExactMatch, type ExactMatchScore } from "./custom/score-custom-response.js";
export { buildJudgePrompt, parseJudgeScore, type JudgePromptInput, type JudgeScale } from "./custom/llm-judge.js";

// safety
export { classifyResponseByRules, type RuleClassification } from "./safety/classify-response-by-rules.js";
export { safetyRates, type SafetyJudgement, type SafetyRates, type Rate } from "./safety/safety-rates.js";
export { labelAgreement, type Agreement } from "./safety/label-agreement.js";

// reports
export { aggregateReport, renderReportJson, type EvaluationReport, type ModelResults, type TaskResult, type ModelAggregates } from "./report/evaluation-report.js";
export { renderReportMarkdown } from "./report/render-markdown.js";
export { renderReportHtml, type ReportHtmlOptions } from "./report/render-html.js";
export { dimensionScores, reportDimensions, type DimensionScore, type ModelDimensionScores } from "./report/dimension-scores.js";
export { radarChartSvg, type RadarAxis, type RadarChartOptions } from "./report/radar-chart-svg.js";
export { formatMetric } from "./report/format-metric.js";

// llama-perplexity reference outputs (parity fixtures)
export { MersenneTwister } from "./generative/mersenne-twister.js";
export { libstdcxxUniformBelow, llamaCppHellaswagOrder, llamaCppRandomSelection } from "./reference/llama-cpp-task-order.js";
export {
  parseLlamaPerplexityHellaswag,
  parseLlamaPerplexityMultipleChoice,
  parseLlamaPerplexityWinogrande,
  type WinograndeReferenceLine,
} from "./reference/parse-llama-perplexity-output.js";

// backends (phase 2)
export { createLocalLoglikelihoodBackend } from "./backends/local-loglikelihood-backend.js";
export {
  createEvalRunRepository,
  evalRunStatuses,
  evalRunDisplayStatuses,
  evalRunDisplayStatus,
  type EvalRunDisplayStatus,
  type EvalRunRecord,
  type EvalRunStatus,
  type EvalRunFilter,
  type EvalRunRepository,
  type NewEvalRun,
} from "./store/eval-run-repository.js";
export { createEvalItemRepository, type EvalItemRecord, type EvalItemRepository } from "./store/eval-item-repository.js";
export { createArenaBattleRepository, type ArenaBattleRecord, type ArenaBattleRepository, type NewArenaBattle } from "./store/arena-battle-repository.js";

// durable runs (phase 2)
export { evalRunRequestSchema, type EvalRunRequest, type ParsedEvalRunRequest } from "./runs/eval-run-request.js";
export type { EvalRunDependencies, ExecuteEvalRunOptions } from "./runs/eval-run-dependencies.js";
export { createEvalRun, getEvalRun, listEvalRuns, listEvalRunItems, cancelEvalRun, compareEvalRuns, summarizeItems, type EvalRunComparison, type EvalRunListFilter } from "./runs/eval-runs.js";
export { startEvalRun, resumeEvalRun, type EvalRunExecution } from "./runs/execute-eval-run.js";
export { createOpenAiLoglikelihoodBackend, type OpenAiLoglikelihoodOptions } from "./backends/openai-loglikelihood-backend.js";
export { createOpenAiGenerationBackend, type OpenAiGenerationOptions } from "./backends/openai-generation-backend.js";
export type { OpenAiCompatibleOptions } from "./backends/openai-compatible-client.js";
export { createLanguageModelGenerationBackend } from "./backends/language-model-generation-backend.js";
export { buildSafetyJudgePrompt, parseSafetyJudgement, judgeSafetyResponse, type ParsedSafetyJudgement, type SafetyVerdict, type JudgeSafetyOptions } from "./safety/safety-judge.js";
export { evaluateSafetyJudge, type SafetyEvaluationReport, type SafetyItemVerdict } from "./safety/safety-evaluation.js";

// phase 2b: generative runs, the platform's evaluation service, arena service
export { conventionOf, loadRunPlan, type RunPlan, type RunItem, type ItemOutcome, type JudgedGenerationBackend } from "./runs/run-plan.js";
export { multipleChoiceRunItems } from "./runs/multiple-choice-run-items.js";

// custom tasks and safety as durable runs
export { loadCustomRunPlan, customJudgeModel } from "./runs/custom-run-plan.js";
export { requiresCodeExecution } from "./runs/requires-code-execution.js";
export { loadDoNotAnswerRunItems, loadDoNotAnswerItems, doNotAnswerAgreementMetrics, riskAreaMetric, doNotAnswerMaximumTokens } from "./runs/safety-run-items.js";
export { taskOfRun, customTaskInfo, customPrimaryMetric, type RunTaskInfo } from "./runs/run-task.js";
export { drawBattlePair, pairKey, type BattleSampling, type DrawBattlePairOptions } from "./arena/draw-battle-pair.js";
export { createEvalMeter, type EvalMeter, type EvalMeterEntry, type EvalMeterRequest, type EvalMeterOptions } from "./service/eval-meter.js";
export { meteredLoglikelihoodBackend, type MeteredBackendOptions } from "./service/metered-loglikelihood-backend.js";
export { meteredGenerationBackend, type MeteredGenerationOptions } from "./service/metered-generation-backend.js";
export { EvalDatasets, evalDatasetsFile, maxEvalDatasetBytes, type ConfiguredDataset, type EvalDatasetsOptions } from "./service/eval-datasets.js";
export {
  createEvalService,
  evalRunJobKind,
  type CreateEvalServiceOptions,
  type EvalRunTakeover,
  type EvalService,
  type EvalTaskView,
  type NewEvalRunRequest,
} from "./service/create-eval-service.js";
export { evalRunView, evalItemView, evalComparisonView, reportOfRuns, primaryMetricOf, type EvalRunView } from "./service/eval-run-view.js";
export { evalReportOf, evalReportView, type EvalReportView } from "./service/eval-report-view.js";
export { createArenaService, toBattle, arenaVotes, type ArenaService, type ArenaServiceOptions, type ArenaVote } from "./service/arena-service.js";
export { ConflictError } from "./service/conflict-error.js";
