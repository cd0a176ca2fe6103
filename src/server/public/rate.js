// genbench /rate: HYPE-infinity and HYPE-time trials in the browser.
// The server issues each trial (one-time id, image as a data URL, exposure for HYPE-time) and takes one vote per
// trial. For HYPE-time the exposure is frame-locked: the image is made visible inside a requestAnimationFrame
// callback and replaced by noise masks in the first callback at which it has been up for the exposure (within half a
// frame); the rAF timestamps of those two frames give the measured exposure sent with the vote, together with the
// number of missed frames (frame intervals over 1.5x the median measured before the trial) and whether the tab was
// hidden (visibilitychange). The server drops such trials from the staircase and the scores.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const stateEl = $('rate-state');
  if (stateEl === null) return;
  const initial = JSON.parse(stateEl.textContent);
  const COUNTDOWN_MS = 500; // HYPE: 3-2-1, 500 ms each
  const MASKS = 4; // HYPE: 4 noise masks of 30 ms
  const MASK_MS = 30;
  const stage = $('stage');
  const img = $('image');
  const mask = $('mask');
  const countdown = $('countdown');
  const buttons = [$('answer-real'), $('answer-fake')];
  let trial = null; // the open trial
  let timing = {};
  let answersAt = 0;
  let hidden = false;
  let scored = 0;
  let busy = false;

  document.addEventListener('visibilitychange', () => {
    if (document.hidden) hidden = true;
  });

  async function api(path, body) {
    const res = await fetch(path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(json.error ? json.error.message : `HTTP ${res.status}`);
    return json;
  }

  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function setAnswers(on) {
    for (const b of buttons) b.disabled = !on;
    stage.dataset.ready = on ? '1' : '0';
    if (on) answersAt = performance.now();
  }

  function drawNoise() {
    const ctx = mask.getContext('2d');
    const data = ctx.createImageData(mask.width, mask.height);
    const bytes = new Uint8Array(mask.width * mask.height);
    crypto.getRandomValues(bytes);
    for (let i = 0; i < bytes.length; i++) {
      data.data[4 * i] = data.data[4 * i + 1] = data.data[4 * i + 2] = bytes[i];
      data.data[4 * i + 3] = 255;
    }
    ctx.putImageData(data, 0, 0);
  }

  function showStatus(rater) {
    const q = rater ? rater.qualification : null;
    const parts = [];
    if (!rater || rater.status === 'qualifying') {
      const done = q ? q.real.answered + q.fake.answered : 0;
      parts.push(`Qualification: ${done} / ${initial.protocol.qualificationTrials}`);
    } else if (rater.status === 'qualified') {
      parts.push(`Qualified. Counted votes this session: ${scored}`);
    } else {
      parts.push('You did not pass the qualification round; thank you for your time.');
    }
    if (rater && rater.flagged) parts.push('This session is flagged (a broken image was called real); votes no longer count.');
    $('status').textContent = parts.join(' · ');
    stage.dataset.rater = rater ? rater.status : 'new';
    stage.dataset.scored = String(scored);
  }

  /** Median frame interval over a few frames, ms. */
  async function frameInterval() {
    let last = await frame();
    const d = [];
    for (let i = 0; i < 8; i++) {
      const t = await frame();
      d.push(t - last);
      last = t;
    }
    d.sort((a, b) => a - b);
    return d[d.length >> 1];
  }

  /** HYPE-time: countdown, frame-locked exposure, noise masks; fills `timing`. */
  async function timedExposure(exposureMs) {
    countdown.hidden = false;
    for (const n of [3, 2, 1]) {
      countdown.textContent = String(n);
      await sleep(COUNTDOWN_MS);
    }
    const frameMs = await frameInterval();
    countdown.hidden = true;
    let missed = 0;
    let prev = await frame();
    img.hidden = false;
    const shownAt = prev;
    let hiddenAt = shownAt;
    for (;;) {
      const t = await frame();
      if (t - prev > 1.5 * frameMs) missed++;
      prev = t;
      if (t - shownAt >= exposureMs - frameMs / 2) {
        img.hidden = true;
        mask.hidden = false;
        drawNoise();
        hiddenAt = t;
        break;
      }
    }
    for (let m = 0; m < MASKS; m++) {
      const until = prev + MASK_MS - frameMs / 2;
      for (;;) {
        const t = await frame();
        if (t - prev > 1.5 * frameMs) missed++;
        prev = t;
        if (t >= until) break;
      }
      if (m < MASKS - 1) drawNoise();
    }
    mask.hidden = true;
    timing = { shownAt, hiddenAt, exposureMs: hiddenAt - shownAt, frameMs, missedFrames: missed };
  }

  async function next() {
    setAnswers(false);
    img.hidden = true;
    mask.hidden = true;
    const model = $('model').value;
    const protocol = $('protocol').value;
    let t;
    try {
      t = await api('/api/rate/trials', { modelId: model, protocol });
    } catch (e) {
      $('feedback').textContent = e.message;
      stage.dataset.ended = '1';
      return;
    }
    if (t.done) {
      $('feedback').textContent = t.reason;
      stage.dataset.ended = '1';
      return;
    }
    trial = t;
    stage.dataset.trial = t.trialId;
    hidden = document.hidden;
    timing = {};
    stage.dataset.phase = t.phase;
    stage.dataset.protocol = t.protocol;
    img.src = t.image;
    await img.decode();
    if (t.exposureMs === null) img.hidden = false;
    else await timedExposure(t.exposureMs);
    setAnswers(true);
  }

  async function answer(value) {
    if (trial === null || busy || buttons[0].disabled) return;
    busy = true;
    setAnswers(false);
    const t = trial;
    trial = null;
    const payload = { answer: value, timing: { ...timing, hidden, responseMs: performance.now() - answersAt } };
    try {
      const r = await api(`/api/rate/trials/${encodeURIComponent(t.trialId)}/vote`, payload);
      if (t.phase === 'scored' && r.rater.status === 'qualified' && !r.rater.flagged && !r.vigilance && r.dropped === null) scored++;
      const what = r.vigilance ? 'a broken image (attention check)' : r.truth;
      $('feedback').textContent = `${r.correct ? 'Correct' : 'Wrong'}: it was ${what}.${r.dropped ? ` (not counted: ${r.dropped})` : ''}`;
      showStatus(r.rater);
      if (r.rater.status === 'failed' || r.rater.flagged) {
        stage.dataset.ended = '1';
        return;
      }
    } catch (e) {
      $('feedback').textContent = e.message;
    } finally {
      busy = false;
    }
    await next();
  }

  for (const b of buttons) b.addEventListener('click', () => answer(b.dataset.answer));
  document.addEventListener('keydown', (e) => {
    if (e.repeat || e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key.toLowerCase();
    if (k === 'r' || k === 'arrowleft') answer('real');
    else if (k === 'f' || k === 'arrowright') answer('fake');
    else return;
    e.preventDefault();
  });
  $('setup').addEventListener('submit', (e) => {
    e.preventDefault();
    $('setup').hidden = true;
    stage.hidden = false;
    showStatus(initial.rater);
    next();
  });
  showStatus(initial.rater);
})();
