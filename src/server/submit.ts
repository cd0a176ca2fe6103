import { randomUUID } from 'node:crypto';
import { GenbenchError } from '../errors.js';
import { claimBlobs, dropClaims, removeUnclaimed } from '../store/blob-claims.js';
import { putEvaluation } from '../store/evaluations.js';
import { createSubmission, findIdenticalSubmission, setSubmissionJob, type StoredFile, type SubmissionRecord, type SubmissionStatus } from '../store/submissions.js';
import type { AppDeps } from './app.js';
import { DEFAULT_EVALUATION, evaluationRecipe } from './evaluate-job.js';
import { PROTOCOLS } from './protocols.js';
import { checkQuota, DEFAULT_QUOTAS } from './quotas.js';
import { claimModelName } from './submitters.js';
import { checkUpload, type UploadedFile } from './upload.js';
import { DEFAULT_UPLOAD_LIMITS } from './upload-limits.js';

/**
 * Accepts a checked upload: stores its files content-addressed, records model + submission (+ a self-reported
 * report when one came with it) in one transaction (createSubmission's joins it) after the token's quotas are checked
 * in it (quotas.ts: 429 over the submission rate, 413 over the storage quota), and queues the evaluation. An
 * upload of exactly the files of an earlier submission on the same dataset returns that one (deduplicated); a new
 * model under a name the same token already uses is refused with 409 (submitters.ts claimModelName).
 *
 * Before storing, the upload claims its blobs (store/blob-claims.ts) and learns which ones existed; the claims go in
 * the transaction that records the submission, whose `files` rows keep the blobs from then on. When storing or
 * recording fails, the blobs this call created are removed again unless a `files` row or another upload's claim
 * refers to them, so a rejected upload leaves nothing behind and never takes the blob of a concurrent upload of the
 * same bytes with it (on one server or across a cluster's processes).
 *
 * @example
 * const r = await acceptSubmission(deps, { files: [{ name: 'g.onnx', path }, { name: 'g.genbench.json', path: p2 }], tokenId });
 * r.status; // 'queued'
 */
export interface AcceptedSubmission {
  readonly id: string;
  /** 'queued' for a new submission; an identical earlier upload's own status when `deduplicated`. */
  readonly status: SubmissionStatus;
  readonly modelId: string;
  readonly jobId: string;
  /** True when these exact files were submitted before on this dataset: that submission is returned, nothing stored or queued. */
  readonly deduplicated: boolean;
  readonly links: { readonly status: string; readonly page: string; readonly model: string };
}

export async function acceptSubmission(deps: AppDeps, req: { files: readonly UploadedFile[]; tokenId: string; dataset?: string }): Promise<AcceptedSubmission> {
  const { sql, blobs } = deps.store;
  const extractors = req.files.some((f) => /(^|[\\/])report\.json$/.test(f.name)) ? await knownExtractors(deps) : [];
  const checked = await checkUpload(req.files, { limits: deps.limits ?? DEFAULT_UPLOAD_LIMITS, extractors, ...(req.dataset === undefined ? {} : { dataset: req.dataset }) });
  const same = await findIdenticalSubmission(sql, checked.files, checked.dataset);
  if (same !== undefined) return accepted(same, { id: same.jobId ?? '', deduplicated: true });
  const claim = randomUUID();
  const created: string[] = [];
  let recorded;
  try {
    const existed = await claimBlobs(sql, blobs, claim, checked.files.map((f) => f.sha256));
    const stored: StoredFile[] = [];
    for (const f of checked.files) {
      if (!existed.has(f.sha256)) created.push(f.sha256); // before the put: a put that fails half-way is cleaned up too
      const put = await blobs.putFile(f.path);
      if (put.sha256 !== f.sha256) throw new GenbenchError('CHECKSUM', `${f.name}: changed while it was being stored; upload it again`);
      stored.push({ name: f.name, sha256: put.sha256, size: put.size });
    }
    recorded = await sql.transaction(async (tx) => {
      await claimModelName(tx, { tokenId: req.tokenId, name: checked.manifest.name });
      await checkQuota(tx, req.tokenId, stored, deps.quotas ?? DEFAULT_QUOTAS);
      const r = await createSubmission(tx, {
        model: { name: checked.manifest.name, kind: 'submission', format: checked.manifest.format, manifest: { ...checked.manifest } },
        files: stored,
        mainFile: checked.mainFile,
        dataset: checked.dataset,
        tokenId: req.tokenId,
      });
      if (checked.report !== undefined) await putEvaluation(tx, { modelId: r.model.id, submissionId: r.submission.id, report: checked.report, verified: false });
      await dropClaims(tx, claim); // the files rows now keep the blobs
      return r;
    });
  } catch (e) {
    await removeUnclaimed(sql, blobs, claim, created);
    throw e;
  }
  const { submission } = recorded;
  const recipe = evaluationRecipe(deps.evaluation ?? DEFAULT_EVALUATION, checked.dataset);
  const job = await deps.queue.enqueue({ submissionId: submission.id, recipe });
  await setSubmissionJob(sql, submission.id, job.id, recipe); // the job id and recipe only: the job may already be running
  return accepted(submission, job);
}

function accepted(s: SubmissionRecord, job: { id: string; deduplicated: boolean }): AcceptedSubmission {
  return {
    id: s.id,
    status: s.status,
    modelId: s.modelId,
    jobId: job.id,
    deduplicated: job.deduplicated,
    links: { status: `/api/submissions/${s.id}`, page: `/submissions/${s.id}`, model: `/models/${s.modelId}` },
  };
}

/** Extractor ids a self-reported report may name: the registry's built-ins and this server's own. */
async function knownExtractors(deps: AppDeps): Promise<string[]> {
  const { EXTRACTORS, DEFAULT_EXTRACTOR } = await import('../features/index.js'); // loaded only for uploads with a report
  return [...new Set([...EXTRACTORS.keys(), ...[...PROTOCOLS.values()].map((p) => p.extractor), (deps.evaluation ?? DEFAULT_EVALUATION).extractor ?? DEFAULT_EXTRACTOR])];
}
