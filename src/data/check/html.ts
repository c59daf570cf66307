/**
 * The HTML report of `data check --format html`: one self-contained page (no scripts, no
 * external assets) with the verdict, the validation failures, the poisoning signals and, per
 * column, reference-vs-current bars a person can read. Every text from the data is escaped.
 */
import type { CheckReport } from './check.js';
import type { ColumnChart } from './chart.js';
import type { ColumnDrift } from './drift.js';

const escape = (text: unknown): string =>
  String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const fmt = (value: number): string =>
  Number.isFinite(value)
    ? Math.abs(value) >= 1e4 || (value !== 0 && Math.abs(value) < 1e-3)
      ? value.toExponential(3)
      : value.toFixed(4)
    : String(value);

const WIDTH = 560;
const HEIGHT = 150;

/** Bars of reference (grey) and current (blue) shares per bin or category, as inline SVG. */
function chartSvg(chart: ColumnChart): string {
  const labels =
    chart.kind === 'numeric'
      ? chart.reference.map(
          (_, i) => `${fmt(chart.edges[i] ?? 0)} – ${fmt(chart.edges[i + 1] ?? 0)}`,
        )
      : chart.categories;
  const n = labels.length;
  if (n === 0) return '<p>No values to plot.</p>';
  const top = Math.max(...chart.reference, ...chart.current, 1e-9);
  const slot = WIDTH / n;
  const bar = Math.max(1, slot / 2 - 1);
  const bars = labels
    .map((label, i) => {
      const r = ((chart.reference[i] ?? 0) / top) * (HEIGHT - 20);
      const c = ((chart.current[i] ?? 0) / top) * (HEIGHT - 20);
      const x = i * slot;
      return [
        `<rect x="${x.toFixed(1)}" y="${(HEIGHT - r).toFixed(1)}" width="${bar.toFixed(1)}" height="${r.toFixed(1)}" fill="#9aa0a6"><title>${escape(label)}: reference ${fmt(chart.reference[i] ?? 0)}</title></rect>`,
        `<rect x="${(x + bar + 1).toFixed(1)}" y="${(HEIGHT - c).toFixed(1)}" width="${bar.toFixed(1)}" height="${c.toFixed(1)}" fill="#1a73e8"><title>${escape(label)}: current ${fmt(chart.current[i] ?? 0)}</title></rect>`,
      ].join('');
    })
    .join('');
  const axis =
    chart.kind === 'numeric'
      ? `<text x="0" y="${HEIGHT + 14}">${escape(fmt(chart.edges[0] ?? 0))}</text><text x="${WIDTH}" y="${HEIGHT + 14}" text-anchor="end">${escape(fmt(chart.edges.at(-1) ?? 0))}</text>`
      : labels
          .map(
            (label, i) =>
              `<text x="${(i * slot + slot / 2).toFixed(1)}" y="${HEIGHT + 14}" text-anchor="middle">${escape(label.slice(0, 12))}</text>`,
          )
          .join('');
  return `<svg role="img" aria-label="reference and current distribution" width="${WIDTH}" height="${HEIGHT + 20}" viewBox="0 0 ${WIDTH} ${HEIGHT + 20}" font-size="10">${bars}${axis}</svg>`;
}

function columnSection(column: ColumnDrift): string {
  const effect =
    column.effect === undefined
      ? ''
      : `; ${escape(column.effect.measure)} ${fmt(column.effect.value)} (threshold ${fmt(column.effect.threshold)})`;
  return `<section class="${column.drifted ? 'drift' : 'ok'}">
<h3>${escape(column.name)} — ${column.drifted ? 'DRIFTED' : 'no drift'}</h3>
<p>${escape(column.test)} score ${fmt(column.score)} (threshold ${fmt(column.threshold)})${effect}; ${column.n_reference} reference and ${column.n_current} current values; ${escape(column.reason)}</p>
${chartSvg(column.chart)}
</section>`;
}

/** The whole report as an HTML document. */
export function renderCheckHtml(report: CheckReport): string {
  const d = report.drift;
  const validation =
    report.validation === null
      ? '<p>No schema given.</p>'
      : report.validation.failures.length === 0
        ? '<p>Every schema rule passed.</p>'
        : `<ul>${report.validation.failures.map((f) => `<li><code>${escape(f.path)}</code>: ${escape(f.message)}</li>`).join('')}</ul>`;
  const signals = report.poisoning.signals
    .map(
      (s) =>
        `<tr class="${s.flagged ? 'drift' : 'ok'}"><td>${escape(s.name)}</td><td>${fmt(s.score)}</td><td>${fmt(s.threshold)}</td><td>${s.flagged ? 'FLAGGED' : 'ok'}</td><td>${escape(s.summary)}</td></tr>`,
    )
    .join('');
  const skipped = d.skipped.map((s) => `<li>${escape(s.name)}: ${escape(s.reason)}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Rampart data check: ${escape(report.current.label)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#202124}
.drift{border-left:4px solid #d93025;padding-left:.5rem}.ok{border-left:4px solid #1e8e3e;padding-left:.5rem}
table{border-collapse:collapse}td,th{padding:.2rem .6rem;text-align:left}.legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem}</style></head>
<body>
<h1>Data check: ${report.passed ? 'PASSED' : 'FAILED'}</h1>
<p>Current <code>${escape(report.current.label)}</code> (${report.current.rows} rows) against reference <code>${escape(report.reference.label)}</code> (${report.reference.rows} rows).</p>
${report.reasons.length === 0 ? '' : `<ul>${report.reasons.map((r) => `<li>${escape(r)}</li>`).join('')}</ul>`}
<h2>Validation</h2>${validation}
<h2>Drift (${escape(d.mode)} mode${d.correction === 'bh' ? ', Benjamini–Hochberg corrected' : ''})</h2>
<p>${d.columns.filter((c) => c.drifted).length} of ${d.columns.length} columns drifted (share ${fmt(d.share_drifted)}; the dataset drifts at ${fmt(d.drift_share)}).</p>
<p class="legend"><span style="background:#9aa0a6"></span>reference <span style="background:#1a73e8"></span>current</p>
${d.columns.map(columnSection).join('\n')}
${skipped === '' ? '' : `<h3>Not compared</h3><ul>${skipped}</ul>`}
<h2>Poisoning signals</h2>
${report.poisoning.skipped === undefined ? '' : `<p>Not run: ${escape(report.poisoning.skipped)}</p>`}
<table><tr><th>signal</th><th>score</th><th>threshold</th><th></th><th>summary</th></tr>${signals}</table>
</body></html>
`;
}
