// Upload page: sends the form with the token in the Authorization header, shows the result as text.
(function () {
  'use strict';
  const form = document.getElementById('submit-form');
  const out = document.getElementById('result');
  if (!form) return;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const token = document.getElementById('token').value.trim();
    const body = new FormData();
    for (const f of document.getElementById('files').files) body.append('files', f, f.name);
    const dataset = document.getElementById('dataset').value;
    if (dataset) body.append('dataset', dataset);
    out.textContent = 'uploading...';
    try {
      const res = await fetch('/api/submissions', { method: 'POST', body, headers: { authorization: `Bearer ${token}` } });
      const json = await res.json();
      if (!res.ok) { out.textContent = `Error: ${json.error ? json.error.message : res.status}`; out.className = 'error'; return; }
      out.className = '';
      out.textContent = 'Queued. ';
      const a = document.createElement('a');
      a.href = json.links.page;
      a.textContent = 'Follow the evaluation';
      out.append(a);
    } catch (e) {
      out.textContent = `Error: ${e}`;
      out.className = 'error';
    }
  });
})();
