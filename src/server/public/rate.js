// genbench /rate: HYPE-infinity and HYPE-time trials in the browser.
// The server issues each trial (one-time id, image as a data URL, exposure for HYPE-time) and takes one vote per
// trial. For HYPE-time the exposure is frame-locked: the image is made visible inside a requestAnimationFrame
// callback and replaced by noise masks in the first callback at which it has been up for the exposure (within half a
// frame); the rAF timestamps of those two frames give the measured exposure sent with the vote, together with the
// number of missed frames (frame intervals over 1.5x the median measured before the trial) and whether the tab was
// hidden (visibilitychange). The server drops such trials from the staircase and the scores, and checks the claimed
// durations against its own issue -> vote clock. At the mask the image element is removed from the DOM and the data
// URL dropped, so nothing on the page shows the image after its exposure. After the qualification round the server
// gives no feedback on answers.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const stateEl = $('rate-state');
  if (stateEl === null) return;
  const initial = JSON.parse(stateEl.textContent);
  // HYPE: 3-2-1, 500 ms each; 4 noise masks of 30 ms (the server's numbers, src/rating/protocol.ts TIME_PRESENTATION)
  const presentation = initial.protocol.presentation || { countdownMs: 1500, countdownSteps: 3, masks: 4, maskMs: 30 };
  const COUNTDOWN_MS = presentation.countdownMs / presentation.countdownSteps;
  const MASKS = presentation.masks;
  const MASK_MS = presentation.maskMs;
  const stage = $('stage');
  const frameBox = $('frame');
  let img = $('image');
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

  /** A fresh image element showing `src` (hidden until shown), in place of the previous one. */
  function placeImage(src) {
    removeImage();
    img = document.createElement('img');
    img.id = 'image';
    img.alt = 'image to judge';
    img.hidden = true;
    frameBox.insertBefore(img, mask);
    img.src = src;
    return img;
  }

  /** Takes the image out of the DOM (and its pixels out of the page). */
  function removeImage() {
    if (img === null) return;
    img.removeAttribute('src');
    img.remove();
    img = null;
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
    for (let n = presentation.countdownSteps; n >= 1; n--) {
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
        removeImage();
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
    removeImage();
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
    const src = t.image;
    delete t.image;
    trial = t;
    stage.dataset.trial = t.trialId;
    hidden = document.hidden;
    timing = {};
    stage.dataset.phase = t.phase;
    stage.dataset.protocol = t.protocol;
    await placeImage(src).decode();
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
      if (t.phase === 'scored' && r.rater.status === 'qualified' && !r.rater.flagged && r.dropped === null) scored++;
      const what = r.vigilance ? 'a broken image (attention check)' : r.truth;
      const said = r.correct === null ? 'Answer recorded.' : `${r.correct ? 'Correct' : 'Wrong'}: it was ${what}.`;
      $('feedback').textContent = `${said}${r.dropped ? ` (not counted: ${r.dropped})` : ''}`;
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
