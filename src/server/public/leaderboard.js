// Leaderboard page: sortable tables and Chart.js charts, from the JSON data island #boards (no inline scripts: CSP).
// Scatter points carry their model's name as a label and their 95% intervals as error bars (two small Chart.js
// plugins below); the history chart draws one line per model; a chart with nothing to show is replaced by a line of text.
(function () {
  'use strict';
  const island = document.getElementById('boards');
  const boards = island ? JSON.parse(island.textContent) : [];

  function sortTable(table, col, th) {
    const body = table.tBodies[0];
    const numeric = th.dataset.type === 'number';
    const asc = !th.classList.contains('sorted-asc');
    for (const h of table.tHead.rows[0].cells) h.classList.remove('sorted-asc', 'sorted-desc');
    th.classList.add(asc ? 'sorted-asc' : 'sorted-desc');
    const key = (row) => {
      const v = row.cells[col].dataset.value ?? row.cells[col].textContent;
      if (!numeric) return v.toLowerCase();
      return v === '' ? null : Number(v);
    };
    const rows = Array.from(body.rows);
    rows.sort((a, b) => {
      const x = key(a), y = key(b);
      if (x === null) return 1; // missing values last either way
      if (y === null) return -1;
      return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
    });
    for (const r of rows) body.appendChild(r);
  }
  for (const table of document.querySelectorAll('table.sortable')) {
    Array.from(table.tHead.rows[0].cells).forEach((th, i) => th.addEventListener('click', () => sortTable(table, i, th)));
  }

  /** Replaces a chart's canvas by a short text (nothing to draw). */
  function empty(canvas, text) {
    const p = document.createElement('p');
    p.className = 'empty';
    p.textContent = text;
    canvas.replaceWith(p);
    return p;
  }
  /** Puts the canvas back after an empty() text (the axis pickers changed). */
  function canvasIn(chart, cls) {
    const old = chart.querySelector(`canvas.${cls}, p.empty`);
    if (old && old.tagName === 'CANVAS') return old;
    const c = document.createElement('canvas');
    c.className = cls;
    old.replaceWith(c);
    return c;
  }

  if (typeof Chart === 'undefined') return;
  const short = (s) => (s.length > 24 ? `${s.slice(0, 23)}…` : s);
  const fmt = (v) => (Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(3));

  // Error bars: each point may carry xMin/xMax and yMin/yMax (its 95% interval); drawn as line segments with caps.
  const errorBars = {
    id: 'errorBars',
    beforeDatasetsDraw(chart) {
      const { ctx, scales } = chart;
      ctx.save();
      ctx.strokeStyle = 'rgba(87, 96, 106, 0.8)';
      ctx.lineWidth = 1;
      const line = (x1, y1, x2, y2) => { ctx.beginPath(); ctx.moveTo(x1, y1); ctx.lineTo(x2, y2); ctx.stroke(); };
      for (const ds of chart.data.datasets) {
        for (const p of ds.data) {
          const x = scales.x.getPixelForValue(p.x), y = scales.y.getPixelForValue(p.y);
          if (p.xMin !== undefined) {
            const a = scales.x.getPixelForValue(p.xMin), b = scales.x.getPixelForValue(p.xMax);
            line(a, y, b, y);
            line(a, y - 3, a, y + 3);
            line(b, y - 3, b, y + 3);
          }
          if (p.yMin !== undefined) {
            const a = scales.y.getPixelForValue(p.yMin), b = scales.y.getPixelForValue(p.yMax);
            line(x, a, x, b);
            line(x - 3, a, x + 3, a);
            line(x - 3, b, x + 3, b);
          }
        }
      }
      ctx.restore();
    },
  };
  // Point labels: the model's name beside each point of a scatter chart.
  const pointLabels = {
    id: 'pointLabels',
    afterDatasetsDraw(chart) {
      const { ctx } = chart;
      ctx.save();
      ctx.font = '11px system-ui, sans-serif';
      ctx.fillStyle = '#1b1f24';
      ctx.textBaseline = 'bottom';
      chart.data.datasets.forEach((ds, i) => {
        chart.getDatasetMeta(i).data.forEach((el, j) => {
          const label = short(ds.data[j].label);
          const right = el.x + 6 + ctx.measureText(label).width > chart.chartArea.right;
          ctx.textAlign = right ? 'right' : 'left';
          ctx.fillText(label, right ? el.x - 6 : el.x + 6, el.y - 3);
        });
      });
      ctx.restore();
    },
  };

  /** A point of a scatter chart with its intervals (cells: { value, ci95? }). */
  const point = (xCell, yCell, label) => ({
    x: xCell.value, y: yCell.value, label,
    ...(xCell.ci95 ? { xMin: xCell.ci95[0], xMax: xCell.ci95[1] } : {}),
    ...(yCell.ci95 ? { yMin: yCell.ci95[0], yMax: yCell.ci95[1] } : {}),
  });
  const interval = (v, lo, hi) => (lo === undefined ? fmt(v) : `${fmt(v)} [${fmt(lo)}, ${fmt(hi)}]`);
  const tooltip = { callbacks: { label: (c) => `${c.raw.label}: x ${interval(c.raw.x, c.raw.xMin, c.raw.xMax)}, y ${interval(c.raw.y, c.raw.yMin, c.raw.yMax)}` } };
  function scatter(canvas, data, xLabel, yLabel) {
    return new Chart(canvas, {
      type: 'scatter',
      data: { datasets: [{ data, pointRadius: 4 }] },
      plugins: [errorBars, pointLabels],
      options: { animation: false, aspectRatio: 1.4, layout: { padding: { top: 14, right: 10 } }, plugins: { legend: { display: false }, tooltip }, scales: { x: { title: { display: true, text: xLabel } }, y: { title: { display: true, text: yLabel } } } },
    });
  }
  const cell = (row, m) => (row.metrics[m] && typeof row.metrics[m].value === 'number' ? row.metrics[m] : null);
  const label = (board, m) => (board.labels && board.labels[m]) || m; // the descriptor's display label
  const titled = (board, m) => `${label(board, m)}${board.higherIsBetter[m] === true ? ' (higher is better)' : board.higherIsBetter[m] === false ? ' (lower is better)' : ''}`;

  boards.forEach((board, i) => drawBoard(board, i));
  document.body.dataset.charts = 'drawn'; // for tests and screenshots: every chart of the page is drawn

  function drawBoard(board, i) {
    const section = document.querySelector(`section[data-board="${i}"]`);
    if (!section) return;
    const charts = section.querySelectorAll('.chart');
    // metric vs metric, with axis pickers
    const pickers = section.querySelector('.axis-pickers');
    const metrics = board.metrics;
    let x = metrics[0], y = metrics[1] ?? metrics[0];
    let chart = null;
    const draw = () => {
      const data = board.rows.filter((r) => cell(r, x) && cell(r, y)).map((r) => point(cell(r, x), cell(r, y), r.modelName));
      if (chart) chart.destroy();
      chart = null;
      const canvas = canvasIn(charts[0], 'scatter');
      if (data.length === 0) empty(canvas, metrics.length === 0 ? 'No metrics on this board yet.' : `No model has both ${label(board, x)} and ${label(board, y)} yet.`);
      else chart = scatter(canvas, data, titled(board, x), titled(board, y));
    };
    for (const axis of ['x', 'y']) {
      const sel = document.createElement('select');
      sel.setAttribute('aria-label', `${axis} axis`);
      for (const m of metrics) sel.add(new Option(label(board, m), m, false, m === (axis === 'x' ? x : y)));
      sel.addEventListener('change', () => { if (axis === 'x') x = sel.value; else y = sel.value; draw(); });
      pickers.append(`${axis}: `, sel, ' ');
    }
    draw();
    // human score vs FD
    const hf = board.rows.filter((r) => r.human && cell(r, 'fd')).map((r) => point(cell(r, 'fd'), r.human, r.modelName));
    const hfCanvas = section.querySelector('canvas.human-fd');
    if (hf.length === 0) empty(hfCanvas, 'No model has both an FD and a published human score yet; rate models on the Rate page.');
    else scatter(hfCanvas, hf, titled(board, 'fd'), 'human score, HYPE∞ error rate (higher is better)');
    // primary metric over submissions: one line per model, time on the x axis
    const historyCanvas = section.querySelector('canvas.history');
    if (board.history.length === 0) { empty(historyCanvas, 'No evaluations to plot yet.'); return; }
    const byModel = new Map();
    for (const h of board.history) {
      if (!byModel.has(h.modelId)) byModel.set(h.modelId, { label: short(h.modelName), data: [], showLine: true, pointRadius: 3, name: h.modelName });
      byModel.get(h.modelId).data.push({ x: Date.parse(h.date), y: h.value });
    }
    const times = board.history.map((h) => Date.parse(h.date));
    const close = Math.max(...times) - Math.min(...times) < 3 * 86400_000; // within days: show the time too
    const day = (v) => (close ? new Date(v).toISOString().slice(5, 16).replace('T', ' ') : new Date(v).toISOString().slice(0, 10));
    new Chart(historyCanvas, {
      type: 'scatter',
      data: { datasets: [...byModel.values()] },
      options: {
        animation: false,
        aspectRatio: 1.4,
        plugins: {
          legend: { display: byModel.size <= 12, labels: { boxWidth: 10 } },
          tooltip: { callbacks: { label: (c) => `${c.dataset.name}: ${fmt(c.raw.y)} (${new Date(c.raw.x).toISOString().slice(0, 16).replace('T', ' ')})` } },
        },
        scales: { x: { title: { display: true, text: 'evaluated (UTC)' }, ticks: { callback: day, maxTicksLimit: 6 } }, y: { title: { display: true, text: titled(board, board.primary) } } },
      },
    });
  }
})();
