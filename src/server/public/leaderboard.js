// Leaderboard page: sortable tables and Chart.js charts, from the JSON data island #boards (no inline scripts: CSP).
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

  if (typeof Chart === 'undefined') return;
  const point = (x, y, label) => ({ x, y, label });
  const tooltip = { callbacks: { label: (c) => `${c.raw.label}: (${c.raw.x}, ${c.raw.y})` } };
  function scatter(canvas, data, xLabel, yLabel) {
    return new Chart(canvas, {
      type: 'scatter',
      data: { datasets: [{ data, pointRadius: 4 }] },
      options: { animation: false, plugins: { legend: { display: false }, tooltip }, scales: { x: { title: { display: true, text: xLabel } }, y: { title: { display: true, text: yLabel } } } },
    });
  }

  boards.forEach((board, i) => {
    const section = document.querySelector(`section[data-board="${i}"]`);
    if (!section) return;
    const value = (row, m) => (row.metrics[m] && typeof row.metrics[m].value === 'number' ? row.metrics[m].value : null);
    // metric vs metric, with axis pickers
    const pickers = section.querySelector('.axis-pickers');
    const metrics = board.metrics;
    let x = metrics[0], y = metrics[1] ?? metrics[0];
    let chart = null;
    const draw = () => {
      const data = board.rows.filter((r) => value(r, x) !== null && value(r, y) !== null).map((r) => point(value(r, x), value(r, y), r.modelName));
      if (chart) chart.destroy();
      chart = scatter(section.querySelector('canvas.scatter'), data, x, y);
    };
    for (const axis of ['x', 'y']) {
      const sel = document.createElement('select');
      for (const m of metrics) sel.add(new Option(m, m, false, m === (axis === 'x' ? x : y)));
      sel.addEventListener('change', () => { if (axis === 'x') x = sel.value; else y = sel.value; draw(); });
      pickers.append(`${axis}: `, sel, ' ');
    }
    if (metrics.length > 0) draw();
    // human score vs FD
    const hf = board.rows.filter((r) => r.human && value(r, 'fd') !== null).map((r) => point(value(r, 'fd'), r.human.value, r.modelName));
    scatter(section.querySelector('canvas.human-fd'), hf, 'FD', 'human score');
    // primary metric over submissions
    new Chart(section.querySelector('canvas.history'), {
      type: 'line',
      data: { labels: board.history.map((h) => h.date.slice(0, 16).replace('T', ' ')), datasets: [{ label: board.primary, data: board.history.map((h) => h.value), showLine: true }] },
      options: { animation: false, plugins: { tooltip: { callbacks: { afterLabel: (c) => board.history[c.dataIndex].modelName } } } },
    });
  });
})();
