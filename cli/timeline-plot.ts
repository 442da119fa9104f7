// The timeline of `drs diagnose`, drawn by hand as SVG (no DOM, no browser): one row per series:
// failures as ticks (or counts per bin when there are too many to draw one by one), bursts as
// bands, the period as a grid, each overlay as bands or lines, red when it co-occurs. The HTML page
// embeds the same SVG with the verdict and tables, and needs nothing from the network.
import { formatMinutes, MINUTE_MS } from '../lambdas/core/failure-pattern';
import type { Diagnosis } from './failure-diagnosis';

const WIDTH = 960;
const LEFT = 150;
const RIGHT = 20;
const ROW = 34;
const TOP = 46;

export const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);

const NICE_STEPS = [1, 5, 15, 30, 60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800].map((s) => s * 1000);

function axisLabel(ms: number, stepMs: number): string {
  const text = new Date(ms).toISOString();
  if (stepMs >= 86_400_000) return text.slice(5, 10);
  if (stepMs >= MINUTE_MS) return `${text.slice(5, 10)} ${text.slice(11, 16)}`;
  return text.slice(11, 19);
}

export function timelineSvg(d: Diagnosis): string {
  const { report } = d;
  const rows: string[] = [];
  const labels: string[] = [];
  const span = d.spanMs ?? { start: 0, end: 1 };
  const length = Math.max(1, span.end - span.start);
  const x = (t: number) => LEFT + ((t - span.start) / length) * (WIDTH - LEFT - RIGHT);
  let row = 0;
  const rowY = () => TOP + row * ROW;
  const label = (text: string, colour = '#222') =>
    labels.push(`<text x="${LEFT - 8}" y="${rowY() + ROW / 2 + 4}" text-anchor="end" font-size="12" fill="${colour}">${escapeXml(text.length > 22 ? `${text.slice(0, 21)}…` : text)}</text>`);

  // Failures.
  label(`failures (${report.failures.toLocaleString('en-US')})`);
  if (d.series && report.failures > 2000) {
    const counts = d.series.counts;
    const max = Math.log1p(counts.reduce((m, c) => Math.max(m, c), 0));
    const w = Math.max(0.5, ((WIDTH - LEFT - RIGHT) * d.series.binMs) / length);
    for (let b = 0; b < counts.length; b++) {
      if (!counts[b]) continue;
      const h = Math.max(1, ((ROW - 8) * Math.log1p(counts[b])) / max);
      rows.push(`<rect x="${x(d.series.start + b * d.series.binMs).toFixed(1)}" y="${(rowY() + ROW - 4 - h).toFixed(1)}" width="${w.toFixed(2)}" height="${h.toFixed(1)}" fill="#c0392b"/>`);
    }
  } else {
    const ticks = Array.from(d.sortedTimes, (t) => `M${x(t).toFixed(1)} ${rowY() + 6}v${ROW - 12}`).join('');
    if (ticks) rows.push(`<path d="${ticks}" stroke="#c0392b" stroke-width="1" stroke-opacity="0.6"/>`);
  }
  row++;

  // Bursts.
  label(`bursts (${report.burstsTotal})`);
  for (const b of report.bursts) {
    const from = x(Date.parse(b.start));
    rows.push(`<rect x="${from.toFixed(1)}" y="${rowY() + 8}" width="${Math.max(1.5, x(Date.parse(b.end)) - from).toFixed(1)}" height="${ROW - 16}" fill="#e67e22"><title>${escapeXml(`${b.start}: ${b.failures} failures, ${b.classes.map((c) => `${c.name} ${c.count}`).join(', ')}`)}</title></rect>`);
  }
  row++;

  // The period, as a grid over the failure rows.
  if (report.period && d.phaseMs !== null) {
    const periodMs = report.period.minutes * MINUTE_MS;
    label(`every ${formatMinutes(report.period.minutes)}`, '#2c3e50');
    if (length / periodMs <= 400) {
      let t = span.start + ((d.phaseMs - (span.start % periodMs) + periodMs) % periodMs);
      const grid: string[] = [];
      for (; t <= span.end; t += periodMs) grid.push(`M${x(t).toFixed(1)} ${TOP}v${(row + 1) * ROW}`);
      rows.push(`<path d="${grid.join('')}" stroke="#2c3e50" stroke-width="1" stroke-dasharray="3 3" stroke-opacity="0.5"/>`);
    }
    row++;
  }

  // Overlays.
  for (const overlay of d.overlays) {
    const o = report.overlays[overlay.label];
    const colour = o?.cooccurring ? '#8e44ad' : '#7f8c8d';
    label(overlay.label, colour);
    if (overlay.values?.length) {
      // A measured series (a metric's sums): a step line scaled to the row, its peak in the tooltip.
      const inside = overlay.values.filter((v) => v.time <= span.end && v.time + (overlay.stepMs ?? 0) >= span.start);
      const peak = inside.reduce((m, v) => Math.max(m, v.value), 0);
      if (peak > 0) {
        const y = (v: number) => (rowY() + ROW - 4 - ((ROW - 8) * v) / peak).toFixed(1);
        const steps = inside.map((v) => `M${x(Math.max(v.time, span.start)).toFixed(1)} ${y(v.value)}H${x(Math.min(v.time + (overlay.stepMs ?? 0), span.end)).toFixed(1)}`).join('');
        rows.push(`<path d="${steps}" stroke="${colour}" stroke-width="1.5" fill="none"><title>${escapeXml(`${overlay.label}: peak ${peak} per ${formatMinutes((overlay.stepMs ?? MINUTE_MS) / MINUTE_MS)}`)}</title></path>`);
      }
      row++;
      continue;
    }
    for (const i of overlay.intervals) {
      if (i.end < span.start || i.start > span.end) continue;
      const from = x(Math.max(i.start, span.start));
      const to = x(Math.min(i.end, span.end));
      rows.push(
        to - from >= 1.5
          ? `<rect x="${from.toFixed(1)}" y="${rowY() + 6}" width="${(to - from).toFixed(1)}" height="${ROW - 12}" fill="${colour}" fill-opacity="0.6"/>`
          : `<path d="M${from.toFixed(1)} ${rowY() + 4}v${ROW - 8}" stroke="${colour}" stroke-width="2"/>`,
      );
    }
    row++;
  }

  // Time axis (UTC).
  const axisY = TOP + row * ROW + 4;
  const step = NICE_STEPS.find((s) => length / s <= 8) ?? NICE_STEPS[NICE_STEPS.length - 1];
  const axis: string[] = [`<path d="M${LEFT} ${axisY}H${WIDTH - RIGHT}" stroke="#555"/>`];
  for (let t = Math.ceil(span.start / step) * step; t <= span.end; t += step) {
    axis.push(`<path d="M${x(t).toFixed(1)} ${axisY}v5" stroke="#555"/><text x="${x(t).toFixed(1)}" y="${axisY + 18}" text-anchor="middle" font-size="11" fill="#555">${axisLabel(t, step)}</text>`);
  }
  const height = axisY + 34;
  const title = report.period ? `Failures over time: every ${formatMinutes(report.period.minutes)} (confidence ${report.period.confidence})` : 'Failures over time: no period supported';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" role="img">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text x="${LEFT}" y="22" font-size="15" font-weight="600" fill="#222">${escapeXml(title)}</text>`,
    `<text x="${WIDTH - RIGHT}" y="22" font-size="11" text-anchor="end" fill="#555">times in UTC</text>`,
    ...labels,
    ...rows,
    ...axis,
    '</svg>',
  ].join('\n');
}

export function timelineHtml(d: Diagnosis, svg = timelineSvg(d)): string {
  const r = d.report;
  const cell = (v: unknown) => `<td>${escapeXml(String(v))}</td>`;
  const bursts = r.bursts
    .slice(0, 50)
    .map((b) => `<tr>${cell(b.start)}${cell(b.minutes)}${cell(b.failures)}${cell(b.peakPerMinute)}${cell(b.classes.map((c) => `${c.name} ${c.count}`).join(', '))}${cell(b.messages.map((m) => `${m.name} (${m.count})`).join('; '))}</tr>`)
    .join('\n');
  const overlays = Object.entries(r.overlays)
    .map(([label, o]) => `<tr>${cell(label)}${cell(o.events)}${cell(o.cooccurring ? 'yes' : 'no')}${cell(o.failuresNear)}${cell(o.expectedNear)}${cell(o.chanceProbability)}</tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>drs diagnose: ${escapeXml(r.source)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1000px;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px;text-align:left}p.verdict{font-size:15px;line-height:1.5}</style>
</head><body>
<h1>Failure pattern</h1>
<p>Source: ${escapeXml(r.source)}: ${r.linesRead.toLocaleString('en-US')} lines, ${r.failures.toLocaleString('en-US')} failures, ${r.undatable} undatable.</p>
<p class="verdict">${escapeXml(r.verdict)}</p>
${svg}
<h2>Bursts (${r.burstsTotal})</h2>
<table><tr><th>start (UTC)</th><th>minutes</th><th>failures</th><th>peak / min</th><th>classes</th><th>messages</th></tr>
${bursts}
</table>
${overlays ? `<h2>Overlays</h2>\n<table><tr><th>series</th><th>events</th><th>co-occurring</th><th>failures near</th><th>by chance</th><th>chance probability</th></tr>\n${overlays}\n</table>` : ''}
<p>Period test: ${escapeXml(r.periodicity.reason)}.</p>
</body></html>
`;
}
