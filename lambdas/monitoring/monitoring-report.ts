// The monitoring report: one self-contained HTML file (inline SVG plots rendered server-side by
// vega-lite + vega, no script, no external resource) built from the run's aggregate figures only,
// so it can hold no donor row. The monitoring function and `drs monitor` both write it.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { MonitoringFigures, OutcomeWindow } from './monitoring-run';

// Legend labels carry figures (a window's AUC, its number of requests): vega cuts them at 160 px.
const CONFIG = { legend: { labelLimit: 0 } };

async function svg(spec: TopLevelSpec): Promise<string> {
  const runtime = vega.parse(compile({ ...spec, config: CONFIG } as TopLevelSpec).spec);
  // Stryker disable next-line ObjectLiteral,StringLiteral: no display renderer either way; toSVG draws its own SVG (same bytes without the option).
  const view = new vega.View(runtime, { renderer: 'none' });
  const text = await view.toSVG();
  // A headless view drawn once holds no timer or listener the SVG depends on; freed all the same.
  view.finalize();
  return text;
}

const WIDTH = 520;
const esc = (text: unknown) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
// null: a NaN that went through JSON.
const num = (x: number | null | undefined, digits = 3) => {
  const value = x ?? NaN;
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
};
const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '–');
/** A figure with its interval, or one dash when there is no figure (one class only, no rows): not "– (–––)". */
const withInterval = (value: number, interval: { lower: number; upper: number }, to: string) =>
  Number.isFinite(value) ? `${num(value)} (${num(interval.lower)}${to}${num(interval.upper)})` : '–';
const counted = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

function scoreHistogram(f: MonitoringFigures): TopLevelSpec {
  const values = f.psiDetail.score.shares.flatMap((s) => [
    { bin: s.bin, population: 'monitored', share: s.monitored },
    { bin: s.bin, population: 'training reference', share: s.reference },
  ]);
  return {
    title: `Score distribution (PSI ${num(f.psiDetail.score.psi)})`,
    width: WIDTH,
    height: 220,
    data: { values },
    mark: 'bar',
    encoding: {
      // The bins in the order given (the labels sort wrongly as text: "> 0.9" before "≤ 0.1").
      x: { field: 'bin', type: 'ordinal', sort: null, title: 'score bin (training deciles)' },
      xOffset: { field: 'population' },
      y: { field: 'share', type: 'quantitative', title: 'share of donors', axis: { format: '%' } },
      color: { field: 'population', type: 'nominal', title: null },
    },
  };
}

function psiChart(f: MonitoringFigures): TopLevelSpec {
  const values = [
    { name: 'score', psi: f.psiDetail.score.psi, crossed: f.psiDetail.score.drift ? 'drift' : 'stable' },
    ...Object.entries(f.psiDetail.features).map(([name, r]) => ({ name, psi: r.psi, crossed: r.drift ? 'drift' : 'stable' })),
  ];
  return {
    title: `Population stability index (threshold ${f.thresholds.psi})`,
    width: WIDTH,
    data: { values },
    layer: [
      {
        mark: 'bar',
        encoding: {
          y: { field: 'name', type: 'nominal', sort: null, title: null },
          x: { field: 'psi', type: 'quantitative', title: 'PSI against the training reference' },
          color: { field: 'crossed', type: 'nominal', scale: { domain: ['stable', 'drift'], range: ['#4c78a8', '#e45756'] }, title: null },
        },
      },
      { mark: { type: 'rule', strokeDash: [4, 4] }, encoding: { x: { datum: f.thresholds.psi } } },
    ],
  };
}

function calibrationChart(windows: OutcomeWindow[]): TopLevelSpec {
  const values = windows.flatMap((w) =>
    w.overall.calibration.deciles.map((d) => ({
      window: `last ${w.days} days (n=${w.overall.calibration.rows})`,
      predicted: d.meanPredicted,
      observed: d.observedRate,
      lower: d.interval.lower,
      upper: d.interval.upper,
    })),
  );
  return {
    title: 'Calibration: observed vs predicted by decile (95% intervals)',
    width: 360,
    height: 360,
    layer: [
      {
        data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] },
        mark: { type: 'line', color: '#999', strokeDash: [4, 4] },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      },
      {
        data: { values },
        mark: 'rule',
        encoding: {
          // The diagonal layer, from (0, 0) to (1, 1), makes both axes 0..1.
          x: { field: 'predicted', type: 'quantitative', title: 'mean predicted score' },
          y: { field: 'lower', type: 'quantitative', title: 'observed availability' },
          y2: { field: 'upper' },
          color: { field: 'window', type: 'nominal', title: null },
        },
      },
      {
        data: { values },
        mark: { type: 'point', filled: true },
        encoding: {
          x: { field: 'predicted', type: 'quantitative' },
          y: { field: 'observed', type: 'quantitative' },
          color: { field: 'window', type: 'nominal', title: null },
        },
      },
    ],
  };
}

function rocChart(windows: OutcomeWindow[]): TopLevelSpec {
  const values = windows.flatMap((w) => w.roc.map((p, i) => ({ ...p, i, window: `last ${w.days} days (AUC ${num(w.overall.auc.value)})` })));
  return {
    title: 'ROC curve',
    width: 360,
    height: 360,
    layer: [
      {
        data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] },
        mark: { type: 'line', color: '#999', strokeDash: [4, 4] },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      },
      {
        data: { values },
        mark: 'line',
        encoding: {
          x: { field: 'fpr', type: 'quantitative', title: 'false positive rate' },
          y: { field: 'tpr', type: 'quantitative', title: 'true positive rate' },
          order: { field: 'i' },
          color: { field: 'window', type: 'nominal', title: null },
        },
      },
    ],
  };
}

function volumesChart(f: MonitoringFigures): TopLevelSpec {
  const values = [
    ...f.volumes.scoresByDay.map((d) => ({ date: d.date, count: d.count, series: 'stored scores by scoring date' })),
    ...f.volumes.outcomesByWeek.map((w) => ({ date: w.week, count: w.requests, series: 'requests with an outcome, by week' })),
  ];
  return {
    title: 'Volumes over time',
    width: WIDTH,
    height: 180,
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      // Dates are UTC days: a local time scale would label them a day early west of Greenwich.
      x: { field: 'date', type: 'temporal', title: null, scale: { type: 'utc' } },
      y: { field: 'count', type: 'quantitative', title: 'count' },
      color: { field: 'series', type: 'nominal', title: null },
    },
  };
}

function table(headers: string[], rows: (string | number)[][]): string {
  return `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function windowSection(w: OutcomeWindow): string {
  const slices = [w.overall, ...w.byModelVersion];
  return `<h3>Last ${w.days} days (${esc(w.from)} to ${esc(w.to)})</h3>
${table(
  ['slice', 'requests', 'available', 'AUC (95% CI)', 'observed', 'predicted', 'observed − predicted (95% CI)', 'ECE', 'flag'],
  slices.map((s) => [
    s.label,
    s.calibration.rows,
    s.calibration.available,
    withInterval(s.auc.value, s.auc.interval, '–'),
    pct(s.calibration.observedRate),
    pct(s.calibration.meanPredicted),
    withInterval(s.calibration.inTheLarge, s.calibration.interval, ' to '),
    num(s.calibration.expectedCalibrationError),
    [s.calibrationDrift ? 'calibration' : '', s.aucDrop ? 'AUC drop' : ''].filter(Boolean).join(', ') || 'ok',
  ]),
)}
<h4>By donor group</h4>
${table(
  ['group', 'value', 'requests', 'observed', 'predicted', 'observed − predicted (95% CI)', 'AUC (95% CI)', 'flag'],
  w.byGroup.map((g) => [
    g.dimension,
    g.group,
    g.rows,
    pct(g.observedRate),
    pct(g.meanPredicted),
    withInterval(g.inTheLarge, g.interval, ' to '),
    withInterval(g.auc.value, g.auc.interval, '–'),
    g.calibrationDrift ? 'calibration' : 'ok',
  ]),
)}`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}.verdict{padding:.8em 1em;border-radius:6px;font-weight:600}
.ok{background:#e6f4ea}.alert{background:#fde8e8}figure{margin:1em 0}`;

/** The whole report as one HTML document. */
export async function renderMonitoringReport(f: MonitoringFigures): Promise<string> {
  const plots = new Map<string, string>([['score-histogram', await svg(scoreHistogram(f))]]);
  // No stored score (or feature) was counted: every PSI is NaN and vega would draw an empty frame.
  const anyPsi = [f.psiDetail.score, ...Object.values(f.psiDetail.features)].some((r) => Number.isFinite(r.psi));
  plots.set('psi-by-feature', anyPsi ? await svg(psiChart(f)) : '<p>No stored scores to compare with the training reference.</p>');
  const outcomes = f.outcomes && f.rows.outcomes > 0 ? f.outcomes : null;
  if (outcomes) {
    plots.set('calibration-curve', await svg(calibrationChart(outcomes.windows)));
    plots.set('roc-curve', await svg(rocChart(outcomes.windows)));
  }
  // vega draws an empty data set at an infinite size: say there is nothing to plot instead.
  const anyVolume = f.volumes.scoresByDay.length + f.volumes.outcomesByWeek.length > 0;
  plots.set('volumes', anyVolume ? await svg(volumesChart(f)) : '<p>No stored scores or request outcomes to plot.</p>');
  // Each figure is asked for only where it was drawn (the outcome plots inside the outcome section).
  const figure = (id: string) => `<figure id="${id}">${plots.get(id)}</figure>`;
  const crossed = f.findings.length > 0;
  const verdict = crossed
    ? `${f.findings.length} threshold${f.findings.length === 1 ? '' : 's'} crossed${f.drift ? ' (model drift)' : ''}${f.operational ? ' (operations)' : ''}`
    : 'No threshold crossed';
  const t = f.thresholds;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Donor readiness monitoring ${esc(f.asOf)}</title><style>${STYLE}</style></head>
<body>
<h1>Donor readiness monitoring, ${esc(f.asOf)}</h1>
<p>Model ${esc(f.modelVersion)} · ${counted(f.rows.scores, 'stored score')} from ${esc(f.source.scores)}${
    f.source.outcomes ? ` · ${counted(f.rows.outcomes, 'request outcome')} from ${esc(f.source.outcomes)}` : ' · no request outcomes'
  }. Aggregates only: this report holds no donor-level row.</p>
<p id="sources">Stored scores: ${esc(f.source.scoresKind ?? 'file')}${f.source.scoresAsOf ? `, as of ${esc(f.source.scoresAsOf)}` : ''}. Rejection and failure counts: ${esc(f.source.rates ?? 'the scores file')}.</p>
<p class="verdict ${crossed ? 'alert' : 'ok'}" id="verdict">${esc(verdict)}</p>
${crossed ? `<ul id="findings">${f.findings.map((x) => `<li>${esc(x.message)}</li>`).join('')}</ul>` : ''}
<h2>Inputs: has the population moved?</h2>
<p>PSI compares each distribution with the training sample's (binned at its deciles). Below 0.1 is stable, 0.1–0.2 a
moderate shift, ≥ ${t.psi} a material shift. A PSI is flagged only on at least ${t.psiMinRows} rows and above the
sampling-noise floor (the PSI an unchanged population of this size exceeds 1 time in 1,000).</p>
${figure('score-histogram')}
${figure('psi-by-feature')}
${table(
  ['distribution', 'rows', 'PSI', 'noise floor', 'flag'],
  [['score', f.psiDetail.score.rows, num(f.psiDetail.score.psi), num(f.psiDetail.score.noiseFloor), f.psiDetail.score.drift ? 'drift' : 'ok'],
    ...Object.entries(f.psiDetail.features).map(([name, r]) => [name, r.rows, num(r.psi), num(r.noiseFloor), r.drift ? 'drift' : 'ok'])],
)}
<h3>Band mix</h3>
${table(['band', 'monitored', 'training reference'], (['high', 'medium', 'low'] as const).map((b) => [b, pct(f.bands.monitored[b]), pct(f.bands.reference[b])]))}
<h2>Outcomes: does the score still predict?</h2>
${
  outcomes
    ? `<p>Each request's outcome against the score the donor had when requested. A calibration gap is flagged when its 95%
interval lies wholly beyond ±${t.calibrationDrift}; an AUC when its interval lies wholly below the training AUC
${num(f.referenceAuc)} minus ${t.aucDrop}. Slices of fewer than ${t.minOutcomes} requests are shown, never flagged.</p>
${figure('calibration-curve')}${figure('roc-curve')}
${outcomes.windows.map(windowSection).join('\n')}`
    : '<p>No request outcomes in this run: AUC and calibration need the outcome log.</p>'
}
<h2>Operations: are scores current?</h2>
${table(
  ['measure', 'value', 'threshold'],
  [
    ['newest scoring date', f.freshness.newestScoringDate ?? '–', ''],
    [`stored scores older than ${f.freshness.refreshPeriodDays} days`, `${f.freshness.staleScores} (${pct(f.freshness.staleShare)})`, pct(t.staleShare)],
    ['donors without a score', `${f.freshness.unscored} (${pct(f.freshness.unscoredShare)})`, pct(t.unscoredShare)],
    ...(f.freshness.requestsWithoutScore
      ? [[`donors requested in the last 90 days without a score`, `${f.freshness.requestsWithoutScore.withoutScore} of ${f.freshness.requestsWithoutScore.rows} (${pct(f.freshness.requestsWithoutScore.share)})`, pct(t.unscoredShare)]]
      : []),
    ['donor updates handled (scored or already current)', f.rates.known ? String(f.rates.scored + f.rates.rejected + f.rates.failed) : 'unknown', ''],
    ['donor updates rejected', f.rates.known ? `${f.rates.rejected} (${pct(f.rates.rejectedShare)})` : 'unknown', pct(t.rejectedShare)],
    ['donor updates failed', f.rates.known ? `${f.rates.failed} (${pct(f.rates.failedShare)})` : 'unknown', pct(t.failedShare)],
  ],
)}
${table(['model version', 'stored scores'], Object.entries(f.scoresByModelVersion).map(([v, c]) => [v, c]))}
${figure('volumes')}
</body></html>
`;
}
