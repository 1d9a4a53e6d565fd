import { createHmac, randomBytes } from "node:crypto";
import { ConflictError, GuardrailFailureError, InvalidRequestError, NotFoundError, type RequestGuard } from "../spec/index.js";
import {
  createAuditLogRepository,
  createGuardrailPolicyRepository,
  type AuditEntry,
  type AuditQuery,
  type Database,
  type GuardrailPolicyRecord,
  type GuardrailPolicySummary,
  type NewAuditEntry,
} from "../store/index.js";
import { GuardAudit } from "./audit/guard-audit.js";
import { createPiiScanner, type PiiScanner, type ScannerOptions } from "./detectors/index.js";
import { moderate, type ModerationResult } from "./moderation/moderate.js";
import { EffectivePolicy, type LoadedPolicy } from "./policy/effective-policy.js";
import { judgeAll } from "./moderation/judge-all.js";
import type { GuardrailModelResolver } from "./models/ask-json-model.js";
import { registeredModelExists } from "./models/registered-model-exists.js";
import { defaultPolicyName, modelsNamedBy, policyNameSchema, type PolicyDocument } from "./policy/policy-schema.js";
import { parseStoredPolicy, validatePolicy } from "./policy/validate-policy.js";
import { PolicyRequestGuard } from "./request-guard.js";

/** How long a read of the current policies is reused. */
const policyCacheMs = 1000;

export type GuardrailsOptions = {
  /** Policies and the audit log live here. */
  database: Database;
  /** The server's secret (the key secret); the audit log's HMAC key is derived from it. */
  secret: string;
  /** Clock. Defaults to `Date.now`. */
  now?: (() => number) | undefined;
  /** Time the detectors may take over one request's input before it is refused. Defaults to 2000 ms. */
  scanTimeoutMs?: number | undefined;
  /** Builds the detectors of a policy. Defaults to `createPiiScanner` (tests inject faults here). */
  createScanner?: ((options: ScannerOptions) => PiiScanner) | undefined;
  /**
   * Resolves the models policies name (a moderation judge, an injection classifier) to call them through the gateway.
   * Left out: a policy that names one refuses the requests that would need it (never skipped).
   */
  resolveModel?: GuardrailModelResolver | undefined;
  /**
   * Whether a model exists (local or a provider's): a policy naming one that does not is refused when it is set.
   * Defaults to the models registered in `database`.
   */
  modelExists?: ((name: string) => Promise<boolean>) | undefined;
};

/** Who a request's guard is for. */
export type GuardRequest = {
  /** The API key (undefined: the local operator or server-internal work). */
  keyId?: string | undefined;
  /** The key's own policy name. */
  keyPolicy?: string | undefined;
  /** `chat.completions`, `embeddings`, `knowledge.ingest`, … (audit). */
  endpoint: string;
  model?: string | undefined;
};

/** An admin action for the audit log. */
export type AdminAction = { keyId: string | undefined; actor: string; action: string; target?: string | undefined; details?: Record<string, unknown> | undefined };

/** The guardrails of a server: policies, per-request guards, moderation, and the audit log. */
export type Guardrails = ReturnType<typeof createGuardrails>;

export function createGuardrails(options: GuardrailsOptions) {
  const now = options.now ?? Date.now;
  const policies = createGuardrailPolicyRepository(options.database);
  const auditLog = createAuditLogRepository(options.database);
  const auditSecret = createHmac("sha256", options.secret).update("aiplus audit log").digest("hex");
  const scanTimeoutMs = options.scanTimeoutMs ?? 2000;
  const modelExists = options.modelExists ?? registeredModelExists(options.database);
  const resolveModel: GuardrailModelResolver =
    options.resolveModel ??
    ((name) => {
      throw new GuardrailFailureError({ message: `the guardrail policy names model '${name}', but this process cannot call models; the request was refused`, code: "guardrail_model_failed" });
    });
  const createScanner = options.createScanner ?? createPiiScanner;
  const parsed = new Map<string, PolicyDocument>();
  const scanners = new Map<string, PiiScanner>();
  let moderationScanner: PiiScanner | undefined;
  /** Current policies read within the last second (set and remove here clear it; other processes' changes apply within a second). */
  const recent = new Map<string, { at: number; records: Map<string, GuardrailPolicyRecord> }>();
  const currentPolicies = async (names: string[]): Promise<Map<string, GuardrailPolicyRecord>> => {
    const key = names.join("\u0000");
    const cached = recent.get(key);
    if (cached && now() - cached.at < policyCacheMs && now() >= cached.at) return cached.records;
    const records = await policies.currentMany(names);
    if (recent.size > 1000) recent.clear();
    recent.set(key, { at: now(), records });
    return records;
  };

  const load = (record: GuardrailPolicyRecord): LoadedPolicy => {
    const key = `${record.name}@${record.version}`;
    let document = parsed.get(key);
    if (!document) {
      try {
        document = parseStoredPolicy(record.document);
      } catch (error) {
        throw new GuardrailFailureError({ message: `the stored guardrail policy ${key} is not valid; requests under it are refused`, cause: error, code: "guardrail_policy_invalid" });
      }
      parsed.set(key, document);
    }
    return { name: record.name, version: record.version, document };
  };

  const scannerFor = (policy: EffectivePolicy): PiiScanner | undefined => {
    const scannerOptions = policy.scannerOptions();
    if (!scannerOptions) return undefined;
    const key = JSON.stringify(scannerOptions);
    let scanner = scanners.get(key);
    if (!scanner) {
      try {
        scanner = createScanner(scannerOptions);
      } catch (error) {
        throw new GuardrailFailureError({ message: `the detectors of guardrail policy ${policy.label} could not be built; requests under it are refused`, cause: error, code: "guardrail_detector_failed" });
      }
      if (scanners.size > 100) scanners.clear();
      scanners.set(key, scanner);
    }
    return scanner;
  };

  /** The policy a request runs under; fails closed when it cannot be read. */
  async function effectivePolicy(keyPolicy: string | undefined): Promise<EffectivePolicy> {
    let found: Map<string, GuardrailPolicyRecord>;
    try {
      found = await currentPolicies(keyPolicy === undefined ? [defaultPolicyName] : [defaultPolicyName, keyPolicy]);
    } catch (error) {
      throw new GuardrailFailureError({ message: "the guardrail policies could not be read; the request was refused", cause: error, code: "guardrail_policy_unavailable" });
    }
    const defaultRecord = found.get(defaultPolicyName);
    const keyRecord = keyPolicy === undefined ? undefined : found.get(keyPolicy);
    if (keyPolicy !== undefined && !keyRecord) {
      throw new GuardrailFailureError({ message: `the key's guardrail policy '${keyPolicy}' does not exist; the request was refused`, code: "guardrail_policy_missing" });
    }
    return EffectivePolicy.combine(defaultRecord && load(defaultRecord), keyRecord && load(keyRecord));
  }

  /** The guard of one request: its key's effective policy, a fresh vault, its audit trail. */
  async function guardFor(request: GuardRequest): Promise<RequestGuard> {
    const policy = await effectivePolicy(request.keyPolicy);
    const scanner = scannerFor(policy);
    const audit = new GuardAudit(auditLog, auditSecret, { keyId: request.keyId, endpoint: request.endpoint, model: request.model, policy: policy.label }, now);
    const canary = policy.canary ? `aiplus-canary-${randomBytes(8).toString("hex")}` : undefined;
    return new PolicyRequestGuard({ policy, scanner, audit, scanTimeoutMs, canary, resolveModel });
  }

  /** The judge and classifier models a policy names must exist (400 naming the field, `model_not_found`). */
  async function assertModelsExist(document: PolicyDocument): Promise<void> {
    for (const { model, field } of modelsNamedBy(document)) {
      if (!(await modelExists(model))) {
        throw new InvalidRequestError({ message: `Invalid 'policy.${field}': model '${model}' does not exist (add it locally or to a provider first)`, param: `policy.${field}`, code: "model_not_found" });
      }
    }
  }

  return {
    guardFor,

    /**
     * `POST /v1/moderations`: every detector on each input, and the judge models of the caller's policy (merged: the
     * highest score, flagged when any flags). Each judge verdict is audited (rule `moderation.judge`). Throws
     * GuardrailFailureError when a detector or a judge fails (never "not flagged").
     */
    async moderate(inputs: readonly string[], request: GuardRequest & { signal?: AbortSignal | undefined } = { endpoint: "moderations" }): Promise<ModerationResult[]> {
      let results: ModerationResult[];
      try {
        moderationScanner ??= createScanner({ entityTypes: "all" });
        const scanner = moderationScanner;
        results = inputs.map((input) => moderate(scanner, input));
      } catch (error) {
        throw new GuardrailFailureError({ message: "a guardrail detector failed while moderating", cause: error, code: "guardrail_detector_failed" });
      }
      const policy = await effectivePolicy(request.keyPolicy);
      const judges = policy.moderationJudges;
      if (judges.length === 0) return results;
      const guard = await guardFor(request);
      const audit = new GuardAudit(auditLog, auditSecret, { keyId: request.keyId, endpoint: request.endpoint, model: request.model, policy: policy.label }, now);
      return judgeAll(inputs, judges, { resolveModel, guard, audit, signal: request.signal, results });
    },

    policies: {
      /** Validates and stores the next version of a policy (InvalidRequestError naming the field when it is not valid). */
      async set(input: { name: string; policy: unknown; createdBy?: string | undefined }): Promise<{ record: GuardrailPolicyRecord; document: PolicyDocument }> {
        const name = policyNameSchema.safeParse(input.name);
        if (!name.success) throw new InvalidRequestError({ message: `Invalid 'name': ${name.error.issues[0]?.message ?? "invalid"}`, param: "name" });
        const { document, source } = validatePolicy(input.policy);
        await assertModelsExist(document);
        const record = await policies.add({ name: name.data, document: JSON.stringify(document), source, createdBy: input.createdBy, createdAt: now() });
        recent.clear();
        return { record, document };
      },

      list(): Promise<GuardrailPolicySummary[]> {
        return policies.list();
      },

      /** The current version of a policy, or the one asked for; NotFoundError when there is none. */
      async get(name: string, version?: number | undefined): Promise<{ record: GuardrailPolicyRecord; document: PolicyDocument; keys: string[] }> {
        const record = version === undefined ? await policies.current(name) : await policies.version(name, version);
        if (!record) {
          throw new NotFoundError({ message: version === undefined ? `guardrail policy '${name}' not found` : `guardrail policy '${name}' has no version ${version}`, param: version === undefined ? "name" : "version", code: "policy_not_found" });
        }
        return { record, document: load(record).document, keys: await policies.keysUsing(name) };
      },

      /** Whether a current policy of that name exists (keys may only name one that does). */
      async exists(name: string): Promise<boolean> {
        return (await policies.current(name)) !== undefined;
      },

      /** Removes every version of a policy; ConflictError while keys still use it, NotFoundError when there is none. */
      async remove(name: string): Promise<void> {
        const keys = await policies.keysUsing(name);
        if (keys.length > 0) {
          throw new ConflictError({ message: `guardrail policy '${name}' is used by ${keys.length} key(s) (${keys.slice(0, 5).join(", ")}); change their policy first`, param: "name", code: "policy_in_use" });
        }
        recent.clear();
        if (!(await policies.remove(name, now()))) throw new NotFoundError({ message: `guardrail policy '${name}' not found`, param: "name", code: "policy_not_found" });
      },
    },

    audit: {
      /** Records an admin action; throws GuardrailFailureError when the log cannot be written (the action must not go ahead). */
      async recordAdminAction(action: AdminAction): Promise<void> {
        const entry: NewAuditEntry = { createdAt: now(), kind: "admin", keyId: action.keyId, actor: action.actor, rule: action.action, action: action.action.split(".").at(-1) ?? action.action, target: action.target, details: action.details };
        try {
          await auditLog.append([entry]);
        } catch (error) {
          throw new GuardrailFailureError({ message: "the admin action could not be written to the audit log; it was not carried out", cause: error, code: "audit_write_failed" });
        }
      },

      page(query: AuditQuery): Promise<{ entries: AuditEntry[]; next: number | undefined }> {
        return auditLog.page(query);
      },

      /** The guardrail decisions of these ledger requests (usage records), oldest first, at most `limit` entries in all. */
      forRequests(requestIds: readonly string[], limit = 5000): Promise<AuditEntry[]> {
        return auditLog.forRequests(requestIds, limit);
      },

      /** The HMAC the audit log records for a value (to look a known value up without storing it). */
      hmacOf(value: string): string {
        return createHmac("sha256", auditSecret).update(value, "utf8").digest("hex");
      },
    },
  };
}
