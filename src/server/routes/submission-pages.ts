import { DATASETS } from '../../data/index.js';
import { html, type SafeHtml } from '../../io/html.js';
import { TRANSLATION_PROTOCOLS } from '../protocols.js';
import type { UploadLimits } from '../upload-limits.js';
import type { SubmissionStatusJson } from './submissions.js';

/**
 * The HTML of the upload page (the form is sent by /static/submit.js with the token in the Authorization header)
 * and of a submission's status page (refreshes itself while the evaluation is queued or running).
 *
 * @example
 * page({ title: 'Submit', body: submitBody(DEFAULT_UPLOAD_LIMITS), scripts: ['/static/submit.js'] });
 */
export function submitBody(limits: UploadLimits): SafeHtml {
  const mb = (b: number) => `${Math.round(b / 2 ** 20)} MiB`;
  return html`<h1>Submit a model</h1>
<p>Upload an ONNX generator (<code>X.onnx</code> + <code>X.genbench.json</code>) or a TF.js model (<code>model.json</code>,
its <code>.bin</code> shards and <code>genbench.json</code>), or an image-to-image translator (<code>X.onnx</code>, or a TF.js <code>model.json</code> and its shards, + a manifest with
<code>"kind": "translator"</code> naming its translation task). The manifest must list the sha256 of the files. Caps: ${mb(limits.maxFileBytes)} per file,
${limits.maxFiles} files. From a terminal: <code>genbench submit --server URL --token T PATH</code>.</p>
<form id="submit-form" method="post" action="/api/submissions" enctype="multipart/form-data">
<p><label>Token <input type="password" name="token" id="token" required autocomplete="off"></label></p>
<p><label>Files <input type="file" name="files" id="files" multiple required></label></p>
<p><label>Dataset or task <select name="dataset" id="dataset"><option value="">(from the manifest)</option>
<optgroup label="Datasets (generators)">${[...DATASETS.keys()].map((d) => html`<option value="${d}">${d}</option>`)}</optgroup>
<optgroup label="Translation tasks (translators)">${[...TRANSLATION_PROTOCOLS.keys()].map((t) => html`<option value="${t}">${t}</option>`)}</optgroup></select></label></p>
<p><button type="submit">Upload</button></p>
</form>
<p id="result" role="status"></p>`;
}

export function statusBody(s: SubmissionStatusJson): SafeHtml {
  return html`<h1>Submission ${s.id}</h1>
<p>Model: <a href="${s.links.model}">${s.model.name}</a></p>
<p>Status: <b class="status-${s.status}" id="status">${s.status}</b>${s.status === 'queued' || s.status === 'running' ? ' (this page refreshes every 3 s)' : ''}</p>
${s.error === null ? '' : html`<p class="error">${s.error}</p>`}
<p>Evaluation attempts: ${s.attempts}.</p>
<p>Submitted ${s.createdAt.slice(0, 19).replace('T', ' ')} UTC, updated ${s.updatedAt.slice(0, 19).replace('T', ' ')} UTC.
<a href="/api/submissions/${s.id}">JSON</a></p>`;
}
