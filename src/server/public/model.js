// Model page: training curves (reference models) with Chart.js from /api/models/:id/curve.json.
(function () {
  'use strict';
  const canvas = document.getElementById('curve');
  if (!canvas || typeof Chart === 'undefined') return;
  fetch(canvas.dataset.src).then((r) => r.json()).then((curve) => {
    const steps = curve.step || [];
    const datasets = Object.entries(curve.losses || {}).map(([name, values]) => ({ label: name, data: values, pointRadius: 0, borderWidth: 1 }));
    new Chart(canvas, { type: 'line', data: { labels: steps, datasets }, options: { animation: false, scales: { x: { title: { display: true, text: 'step' } } } } });
  });
})();
