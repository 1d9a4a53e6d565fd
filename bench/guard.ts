/**
 * npm run bench:guard [-- --dataset DIR]
 * Detection quality of the guardrails on the guard dataset layout (read ../shared/datasets/guard/README.md), using
 * whichever of its subfolders exist: pii/ (Presidio JSON: span-level precision, recall and F2 per entity type, strict
 * and lenient, and records without PII wrongly masked), injection/ (BIPIA attacks placed at the start, middle and end
 * of the e-mail contexts: detection rate, and false positives on the clean contexts) and benign/ (NotInject: share
 * flagged). Without --dataset also latency: input scan p95 for 4 KB and 32 KB texts, per-chunk p99 of the output
 * guard (unmasking and output detectors over a streamed answer) and the p95 time the output guard adds before an
 * answer's first token. Last line: `guard: pii_recall_structured=… pii_precision_structured=… injection_detect=…
 * benign_fp=… scan4k_p95_ms=… chunk_p99_ms=… ttft_added_ms=…` (with --dataset only the quality figures).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createPiiScanner, ENTITY_TYPES } from "../src/guardrails/detectors/index.js";
import { measureBenign, measureInjection, positions, type BenignPrompt } from "./guard-injection.js";
import { measureAddedTimeToFirstToken, measureChunkScans, measureInputScans, percentile, seededRandom } from "./guard-latency.js";
import { measurePii, microAverage, rates, structuredTypes, type Counts, type PiiRecord } from "./guard-pii.js";

const argumentsList = process.argv.slice(2);
const option = (name: string) => {
  const index = argumentsList.indexOf(name);
  return index >= 0 ? argumentsList[index + 1] : undefined;
};
const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const defaultDataset = path.resolve(repositoryRoot, "../shared/datasets/guard");
const datasetFolder = option("--dataset") ?? defaultDataset;
const qualityOnly = option("--dataset") !== undefined;
const verbose = argumentsList.includes("--verbose");
/** Latency: runs per measured input (`--repeats N`, default 5); the least is reported. */
const repeats = Math.max(1, Number(option("--repeats") ?? 5));

function filesIn(folder: string, extension: string): string[] {
  const directory = path.join(datasetFolder, folder);
  if (!fs.existsSync(directory)) return [];
  return fs.readdirSync(directory).filter((name) => name.endsWith(extension)).sort().map((name) => path.join(directory, name));
}

const format = (value: number) => value.toFixed(3);
const line = (label: string, value: Counts) => {
  const { precision, recall, f2 } = rates(value);
  return `  ${label.padEnd(16)} P=${format(precision)} R=${format(recall)} F2=${format(f2)}  (gold ${value.gold}, predicted ${value.predicted})`;
};

async function main(): Promise<void> {
  if (!fs.existsSync(datasetFolder)) throw new Error(`--dataset ${datasetFolder}: no such folder`);
  const scanner = createPiiScanner({ entityTypes: "all" });
  const summary: string[] = [];
  const details: string[] = [];

  const piiRecords = filesIn("pii", ".json").flatMap((file) => JSON.parse(fs.readFileSync(file, "utf8")) as PiiRecord[]);
  if (piiRecords.length > 0) {
    const quality = measurePii(piiRecords, scanner);
    console.log(`PII: ${piiRecords.length} records. Mapping (ours ← gold): EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD, IBAN_CODE, IP_ADDRESS, US_SSN, PERSON, ORGANIZATION as named; LOCATION ← STREET_ADDRESS + GPE; URL ← DOMAIN_NAME.`);
    console.log(`  unmapped gold labels (left out): ${[...quality.unmappedGold].map(([label, count]) => `${label} ${count}`).join(", ")}`);
    console.log(`  our types with no gold label here (every prediction counts as a false positive): CN_RESIDENT_ID, EU_NATIONAL_ID, SECRET`);
    for (const [name, map] of [["strict (exact span)", quality.strict], ["lenient (overlap ≥ 0.5)", quality.lenient]] as const) {
      console.log(` ${name}:`);
      for (const type of ENTITY_TYPES) {
        const value = map.get(type);
        if (value !== undefined) console.log(line(type, value));
      }
      console.log(line("structured", microAverage(map, structuredTypes)));
    }
    const phone = rates(quality.strict.get("PHONE_NUMBER") ?? { truePositives: 0, predicted: 0, gold: 0, recalled: 0 });
    console.log(`  phone recall (strict): ${format(phone.recall)}`);
    const wronglyMasked = quality.recordsWithoutSpans === 0 ? 0 : quality.recordsWithoutSpansMasked / quality.recordsWithoutSpans;
    console.log(`  records without PII wrongly masked: ${quality.recordsWithoutSpansMasked}/${quality.recordsWithoutSpans} = ${format(wronglyMasked)}`);
    if (verbose) {
      for (const example of quality.missedExamples) console.log(`    missed ${example}`);
      for (const example of quality.falsePositiveExamples) console.log(`    false positive ${example}`);
    }
    const structured = rates(microAverage(quality.strict, structuredTypes));
    summary.push(`pii_recall_structured=${format(structured.recall)}`, `pii_precision_structured=${format(structured.precision)}`);
    details.push(`pii_wrongly_masked=${format(wronglyMasked)}`, `phone_recall=${format(phone.recall)}`);
  }

  const attackFiles = filesIn("injection", ".json").filter((file) => !file.endsWith(".jsonl"));
  const contextFiles = filesIn("injection", ".jsonl");
  if (attackFiles.length > 0 && contextFiles.length > 0) {
    const attacks: Record<string, string[]> = {};
    for (const file of attackFiles) Object.assign(attacks, JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string[]>);
    const contexts = contextFiles.flatMap((file) => fs.readFileSync(file, "utf8").split("\n").filter((row) => row.trim() !== "").map((row) => (JSON.parse(row) as { context: string }).context));
    const quality = measureInjection(attacks, contexts);
    console.log(`Injection (BIPIA): ${quality.poisoned} poisoned contexts (${Object.values(attacks).flat().length} attacks × ${contexts.length} e-mails × ${positions.length} positions).`);
    for (const [position, [detected, total]] of quality.byPosition) console.log(`  position ${position.padEnd(7)} ${format(detected / total)} (${detected}/${total})`);
    for (const [category, [detected, total]] of quality.byCategory) console.log(`  ${category.padEnd(28)} ${format(detected / total)}`);
    console.log(`  clean contexts flagged: ${quality.cleanFlagged}/${quality.cleanContexts} = ${format(quality.cleanFlagged / Math.max(1, quality.cleanContexts))}`);
    summary.push(`injection_detect=${format(quality.detected / quality.poisoned)}`);
    details.push(`injection_clean_fp=${format(quality.cleanFlagged / Math.max(1, quality.cleanContexts))}`);
  }

  const benignFiles = filesIn("benign", ".json");
  if (benignFiles.length > 0) {
    const files = benignFiles.map((file) => ({ name: path.basename(file), prompts: JSON.parse(fs.readFileSync(file, "utf8")) as BenignPrompt[] }));
    const quality = measureBenign(files);
    console.log(`Benign look-alikes (NotInject): ${quality.flagged}/${quality.total} flagged.`);
    for (const [group, [flagged, total]] of quality.byGroup) console.log(`  ${group.padEnd(36)} ${format(flagged / total)} (${flagged}/${total})`);
    for (const example of quality.examples) console.log(`    flagged ${example}`);
    // The moderation path also runs the PII scanner: how many benign prompts it would flag for PII.
    const withPii = files.flatMap((file) => file.prompts).filter((item) => scanner.scan(item.prompt).length > 0);
    console.log(`  benign prompts with a PII detection (all entity types): ${withPii.length}/${quality.total}${withPii.map((item) => `\n    ${item.prompt.slice(0, 100)}`).join("")}`);
    summary.push(`benign_fp=${format(quality.flagged / quality.total)}`);
    details.push(`benign_with_pii=${format(withPii.length / quality.total)}`);
  }

  if (!qualityOnly) {
    const corpus = latencyCorpus();
    const random = seededRandom(11);
    // Each timing is repeated `repeats` times on the same input and the least kept (what the code costs when no other
    // process takes the CPU in between); the single-run figures are printed too.
    const scan4k = measureInputScans(scanner, corpus, 4096, 300, random, repeats);
    const scan32k = measureInputScans(scanner, corpus, 32768, 60, random, repeats);
    const chunks = measureChunkScans(scanner, corpus.slice(0, 24_000), random, repeats);
    // For comparison: the same stream when the output detectors rescan their whole context (4 KB) on each release.
    const fullRescan = measureChunkScans({ maxDetectionLength: scanner.maxDetectionLength, scan: (text) => scanner.scan(text) }, corpus.slice(0, 24_000), seededRandom(12), repeats);
    const ttft = await measureAddedTimeToFirstToken(scanner, corpus, 200, random, repeats);
    console.log(`Latency (${os.cpus().length} CPUs, load average ${os.loadavg().map((load) => load.toFixed(1)).join(" ")}; entity types: all, maxDetectionLength ${scanner.maxDetectionLength}; least of ${repeats} runs, single run in brackets):`);
    const figure = (best: number[], single: number[], fraction: number) => `${format(percentile(best, fraction))} (${format(percentile(single, fraction))})`;
    console.log(`  scan 4 KB p50 ${figure(scan4k.best, scan4k.times, 0.5)} ms p95 ${figure(scan4k.best, scan4k.times, 0.95)} ms; 32 KB p50 ${figure(scan32k.best, scan32k.times, 0.5)} ms p95 ${figure(scan32k.best, scan32k.times, 0.95)} ms`);
    console.log(`  per chunk (${chunks.best.length} chunks of 1–16 characters through unmasking and the output detectors) p50 ${figure(chunks.best, chunks.times, 0.5)} ms p99 ${figure(chunks.best, chunks.times, 0.99)} ms`);
    console.log(`  held back after a chunk: p50 ${percentile(chunks.held, 0.5)} p99 ${percentile(chunks.held, 0.99)} max ${Math.max(...chunks.held)} characters`);
    console.log(`  per chunk with whole-context rescans (no incremental scanning): p50 ${figure(fullRescan.best, fullRescan.times, 0.5)} ms p99 ${figure(fullRescan.best, fullRescan.times, 0.99)} ms, held back p50 ${percentile(fullRescan.held, 0.5)} characters`);
    console.log(`  added time to first token (${ttft.length} answers): p50 ${format(percentile(ttft, 0.5))} ms p95 ${format(percentile(ttft, 0.95))} ms`);
    summary.push(`scan4k_p95_ms=${format(percentile(scan4k.best, 0.95))}`, `chunk_p99_ms=${format(percentile(chunks.best, 0.99))}`, `ttft_added_ms=${format(percentile(ttft, 0.95))}`);
    details.push(
      `scan32k_p95_ms=${format(percentile(scan32k.best, 0.95))}`,
      `scan4k_p95_ms_single_run=${format(percentile(scan4k.times, 0.95))}`,
      `chunk_p99_ms_single_run=${format(percentile(chunks.times, 0.99))}`,
      `held_chars_p99=${percentile(chunks.held, 0.99)}`,
      `chunk_p99_ms_whole_context_rescan=${format(percentile(fullRescan.best, 0.99))}`,
      `ttft_added_p50_ms=${format(percentile(ttft, 0.5))}`,
    );
  }
  console.log(`guard details: ${details.join(" ")}`);
  console.log(`guard: ${summary.join(" ")}`);
}

/** Realistic text for timing: the PII records and the BIPIA e-mails of the default dataset, interleaved. */
function latencyCorpus(): string {
  const records = JSON.parse(fs.readFileSync(path.join(defaultDataset, "pii/synth_dataset_v2.idx-mod3-eq0.json"), "utf8")) as PiiRecord[];
  const emails = fs.readFileSync(path.join(defaultDataset, "injection/bipia_email_train.jsonl"), "utf8").split("\n").filter((row) => row.trim() !== "").map((row) => (JSON.parse(row) as { context: string }).context);
  const parts: string[] = [];
  records.forEach((record, index) => {
    parts.push(record.full_text);
    if (index % 10 === 0) parts.push(emails[(index / 10) % emails.length]!);
  });
  return parts.join("\n\n");
}

await main();
