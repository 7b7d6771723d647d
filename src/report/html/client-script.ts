/**
 * @module The browser-side script of the HTML report, as text: it reads the chart specs embedded as
 * JSON and draws each with uPlot. Kept in plain ES2017 (no imports, no network) because it runs
 * from a file:// page; it never reads anything but the page itself.
 */

/**
 * Draws every chart. A chart that fails is replaced by a visible message and logged with
 * console.error, so a broken chart is never silently blank (the browser test checks for both).
 */
export const clientScript = String.raw`(function () {
  'use strict';
  var palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
  // Shading of each band kind and its legend entry: a fault (red), its recovery (yellow), the quiet window (grey), a churn spike (blue).
  var bandStyles = {
    fault: { fill: 'rgba(214,39,40,0.15)', legend: 'fault in force' },
    recovery: { fill: 'rgba(255,187,0,0.15)', legend: 'recovery' },
    quiet: { fill: 'rgba(110,120,135,0.18)', legend: 'quiet window' },
    spike: { fill: 'rgba(31,119,180,0.12)', legend: 'churn spike' },
  };
  var ninesLabels = ['0%', '90%', '99%', '99.9%', '99.99%', '99.999%', '99.9999%', '99.99999%'];
  function fmt(v) {
    if (v === null || v === undefined) return '—';
    var a = Math.abs(v);
    return a >= 1000 || a === 0 || Number.isInteger(v) ? String(Math.round(v * 100) / 100) : String(Number(v.toPrecision(3)));
  }
  function pctOfNines(n) {
    var p = 100 * (1 - Math.pow(10, -n));
    return (Math.round(p * 1000) / 1000) + '%';
  }
  function options(spec, width) {
    var opts = {
      width: width,
      height: 260,
      // Not live: with no cursor a live legend shows only "—"; the labels carry each series' peak and last value.
      legend: { live: false },
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: false } },
      axes: [
        { label: spec.xLabel, stroke: '#333', grid: { stroke: '#eee' } },
        { label: spec.yLabel, stroke: '#333', grid: { stroke: '#eee' }, size: 60, values: function (u, splits) { return splits.map(fmt); } },
      ],
      series: [{ label: spec.xLabel, value: function (u, v) { return fmt(v); } }],
    };
    if (spec.bands && spec.bands.length > 0) {
      // The axis reaches every band's known end: the quiet window comes after the series end (a
      // recovery that never converged ends at MAX_SAFE_INTEGER and is clamped instead).
      opts.scales.x.range = function (u, min, max) {
        spec.bands.forEach(function (b) {
          if (b.to >= Number.MAX_SAFE_INTEGER) return;
          min = Math.min(min, b.from);
          max = Math.max(max, b.to);
        });
        return [min, max];
      };
      // Shaded behind the lines, labelled at the top.
      opts.hooks = { drawClear: [function (u) {
        var ctx = u.ctx, top = u.bbox.top, height = u.bbox.height, left = u.bbox.left, right = u.bbox.left + u.bbox.width;
        ctx.save();
        spec.bands.forEach(function (b) {
          var x0 = Math.max(left, u.valToPos(b.from, 'x', true)), x1 = Math.min(right, u.valToPos(b.to, 'x', true));
          if (!(x1 > x0)) return;
          ctx.fillStyle = (bandStyles[b.kind] || bandStyles.quiet).fill;
          ctx.fillRect(x0, top, x1 - x0, height);
          ctx.fillStyle = '#555';
          ctx.font = (10 * (window.devicePixelRatio || 1)) + 'px sans-serif';
          ctx.fillText(b.label, x0 + 3, top + 12 * (window.devicePixelRatio || 1));
        });
        ctx.restore();
      }] };
    }
    spec.series.forEach(function (s, i) {
      var line = { label: s.note ? s.label + ' (' + s.note + ')' : s.label, stroke: palette[i % palette.length], width: 2, spanGaps: true, points: { show: spec.kind !== 'bars' }, value: function (u, v) { return fmt(v); } };
      // A fitted line, not samples: dashed, dark, no points, nothing joined outside the phase it fits.
      if (s.dashed) { line.stroke = '#333'; line.width = 1.5; line.dash = [6, 4]; line.points = { show: false }; line.spanGaps = false; }
      opts.series.push(line);
    });
    if (spec.kind === 'curve') {
      opts.axes[0].splits = function (u) {
        var max = u.scales.x.max, out = [];
        for (var k = 0; k <= Math.ceil(max); k++) out.push(k);
        return out;
      };
      opts.axes[0].values = function (u, splits) { return splits.map(function (k) { return ninesLabels[k] || pctOfNines(k); }); };
      opts.series[0].value = function (u, v) { return v === null || v === undefined ? '—' : pctOfNines(v); };
    }
    if (spec.kind === 'bars') {
      var labels = spec.xLabels || [];
      opts.scales.x = { time: false, range: function () { return [-0.5, spec.x.length - 0.5]; } };
      opts.axes[0].splits = function () {
        var step = Math.max(1, Math.ceil(spec.x.length / 6)), out = [];
        for (var k = 0; k < spec.x.length; k += step) out.push(k);
        return out;
      };
      opts.axes[0].values = function (u, splits) { return splits.map(function (k) { return labels[k] || ''; }); };
      opts.series[0].value = function (u, v) { return v === null || v === undefined ? '—' : (labels[v] || ''); };
      opts.series[1].paths = uPlot.paths.bars({ size: [0.9, Infinity], align: 0 });
      opts.series[1].fill = 'rgba(31,119,180,0.35)';
    }
    return opts;
  }
  // One legend entry per kind of shaded band, after the series: what each colour means.
  function bandLegend(spec, el) {
    var legend = el.querySelector('.u-legend');
    if (!legend || !spec.bands) return;
    var body = legend.querySelector('tbody') || legend;
    var seen = {};
    spec.bands.forEach(function (b) {
      var style = bandStyles[b.kind];
      if (!style || seen[b.kind]) return;
      seen[b.kind] = true;
      var row = document.createElement('tr'), th = document.createElement('th'), marker = document.createElement('div'), label = document.createElement('div');
      row.className = 'u-series band-' + b.kind;
      marker.className = 'u-marker';
      marker.style.background = style.fill;
      marker.style.border = '1px solid #999';
      label.className = 'u-label';
      label.textContent = style.legend;
      th.appendChild(marker);
      th.appendChild(label);
      row.appendChild(th);
      body.appendChild(row);
    });
  }
  function draw() {
    var dataEl = document.getElementById('chart-data');
    var specs = dataEl ? JSON.parse(dataEl.textContent || '[]') : [];
    specs.forEach(function (spec) {
      var el = document.getElementById('chart-' + spec.id);
      if (!el) { console.error('report: no element for chart ' + spec.id); return; }
      try {
        if (typeof uPlot !== 'function') throw new Error('the chart library did not load');
        var width = Math.max(320, Math.min(el.clientWidth || 800, 1100));
        var data = [spec.x].concat(spec.series.map(function (s) { return s.values; }));
        new uPlot(options(spec, width), data, el);
        bandLegend(spec, el);
        el.setAttribute('data-rendered', 'true');
      } catch (e) {
        el.textContent = 'This chart could not be drawn: ' + (e && e.message ? e.message : String(e)) + '. The table above holds the same figures.';
        el.className += ' chart-error';
        console.error('report: chart ' + spec.id + ': ' + (e && e.stack ? e.stack : e));
      }
    });
    document.body.setAttribute('data-charts-done', 'true');
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', draw);
  else draw();
})();
`;
