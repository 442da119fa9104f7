/**
 * @jest-environment-options {"timeZone": "America/Los_Angeles"}
 */
// The monitoring report rendered from hand-built figures (never from a run of the code under test):
// the verdict and its wording, every table cell, the plots' marks at coordinates worked out here from
// the figures and the plot sizes, escaping of every text that comes from data, and the empty,
// single-point and NaN cases. West of Greenwich on purpose: the report's dates are UTC days and must
// not move a day when it is rendered on a laptop in California (they did before this file).
import { renderMonitoringReport } from '../../lambdas/monitoring/monitoring-report';
import type { MonitoringFigures, OutcomeWindow, SliceQuality } from '../../lambdas/monitoring/monitoring-run';
import type { PsiResult } from '../../lambdas/monitoring/population-stability';

// ---- reading the HTML and the SVG back ----------------------------------------------------------
const figureOf = (html: string, id: string) => new RegExp(`<figure id="${id}">([\\s\\S]*?)</figure>`).exec(html)?.[1];
const figure = (html: string, id: string) => {
  const found = figureOf(html, id);
  if (found === undefined) throw new Error(`no figure ${id}`);
  return found;
};
const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
/** Every data mark (vega gives each an aria-label naming its values), in drawing order. */
function marks(svg: string) {
  return [...svg.matchAll(/<(path|line)\s[^>]*role="graphics-symbol"[^>]*>/g)].map(([tag]) => ({
    label: attr(tag, 'aria-label'),
    kind: attr(tag, 'aria-roledescription'),
    d: attr(tag, 'd'),
    transform: attr(tag, 'transform'),
    fill: attr(tag, 'fill'),
    stroke: attr(tag, 'stroke'),
    dash: attr(tag, 'stroke-dasharray'),
  }));
}
/** A bar's rectangle from vega's path `M x,y h w v h h -w Z`. */
function rect(d: string | undefined) {
  const m = /^M([-\d.e]+),([-\d.e]+)h([-\d.e]+)v([-\d.e]+)h[-\d.e]+Z$/.exec(d ?? '');
  if (!m) throw new Error(`not a bar: ${d}`);
  const [x, y, width, height] = m.slice(1).map(Number);
  return { x, y, width, height };
}
const translate = (t: string | undefined) => (/translate\(([-\d.e]+),([-\d.e]+)\)/.exec(t ?? '') ?? []).slice(1).map(Number);
const expectClose = (actual: number[], expected: number[]) => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => expect(a).toBeCloseTo(expected[i], 3));
};
/** The text of every visible text element (legend entries, axis labels and titles, the plot title). */
const texts = (svg: string) => [...svg.matchAll(/<text\s[^>]*?opacity="1"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
const legend = (svg: string) => [...svg.matchAll(/<text text-anchor="start" transform="translate\(16,9\)"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
const axes = (svg: string) => [...svg.matchAll(/aria-roledescription="axis" aria-label="([^"]*)"/g)].map((m) => m[1]);
/** Every table as rows of raw (still escaped) cells, header row first. */
const tables = (html: string) =>
  [...html.matchAll(/<table>([\s\S]*?)<\/table>/g)].map(([, t]) => [...t.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(([, r]) => [...r.matchAll(/<t[hd]>([\s\S]*?)<\/t[hd]>/g)].map((c) => c[1])));
/** The document with every figure's SVG left out, to read its text. */
const prose = (html: string) => html.replace(/<figure id="([^"]+)">[\s\S]*?<\/figure>/g, '[figure $1]');
const between = (html: string, from: string, to: string) => {
  const text = prose(html);
  return text.slice(text.indexOf(from), text.indexOf(to, text.indexOf(from)));
};

// ---- hand-built figures ----------------------------------------------------------------------
const THRESHOLDS: MonitoringFigures['thresholds'] = {
  // Each unlike the defaults and the others, so a figure read from the wrong field shows.
  psi: 0.25, psiMinRows: 40, calibrationDrift: 0.04, aucDrop: 0.03, minOutcomes: 30,
  refreshPeriodDays: 14, staleShare: 0.06, unscoredShare: 0.02, rejectedShare: 0.07, failedShare: 0.015,
};
const psi = (value: number, drift: boolean, rows: number, noiseFloor: number, shares: PsiResult['shares'] = []): PsiResult => ({ psi: value, drift, rows, noiseFloor, bins: shares.length, shares });
const interval = (lower: number, upper: number) => ({ lower, upper });
function slice(label: string, auc: [number, number, number], cal: Partial<SliceQuality['calibration']>, calibrationDrift: boolean, aucDrop: boolean): SliceQuality {
  return {
    label,
    auc: { value: auc[0], interval: interval(auc[1], auc[2]), rows: 4, positives: 2, negatives: 2 },
    calibration: { rows: 4, available: 2, meanPredicted: 0.4, observedRate: 0.5, inTheLarge: 0.1, interval: interval(-0.39, 0.59), expectedCalibrationError: 0.125, deciles: [], ...cal },
    calibrationDrift,
    aucDrop,
  };
}
const decile = (d: number, meanPredicted: number, observedRate: number, lower: number, upper: number) => ({ decile: d, rows: 2, meanPredicted, observedRate, interval: interval(lower, upper) });
const W90: OutcomeWindow = {
  days: 90,
  from: '2026-09-02',
  to: '2026-11-30',
  overall: slice('all model versions', [0.75, 0.208458, 1], { deciles: [decile(3, 0.25, 0.5, 0.1, 0.9), decile(8, 0.75, 1, 0.5, 1)] }, true, false),
  byModelVersion: [
    slice('model <v1>', [0.6, 0.45, 0.7], {}, true, true),
    // One request, not available: no AUC at all (one class), a gap without an interval.
    slice('model v2', [NaN, NaN, NaN], { rows: 1, available: 0, observedRate: 0, meanPredicted: 0.9, inTheLarge: -0.9, interval: interval(NaN, NaN) }, false, true),
  ],
  byGroup: [
    { dimension: 'band', group: 'high & <b>', rows: 3, available: 1, observedRate: 1 / 3, meanPredicted: 0.5, inTheLarge: -1 / 6, interval: interval(-0.7, 0.35), auc: { value: 0.5, interval: interval(0.1, 0.9), rows: 3, positives: 1, negatives: 2 }, calibrationDrift: true },
    { dimension: 'sex', group: 'F', rows: 1, available: 1, observedRate: 1, meanPredicted: 0.2, inTheLarge: 0.8, interval: interval(NaN, NaN), auc: { value: NaN, interval: interval(NaN, NaN), rows: 1, positives: 1, negatives: 0 }, calibrationDrift: false },
  ],
  roc: [{ fpr: 0, tpr: 0 }, { fpr: 0, tpr: 0.5 }, { fpr: 0.5, tpr: 0.5 }, { fpr: 0.5, tpr: 1 }, { fpr: 1, tpr: 1 }],
};
const W365: OutcomeWindow = {
  ...W90,
  days: 365,
  from: '2025-12-01',
  overall: slice('all model versions', [0.8, 0.5, 0.95], { rows: 8, deciles: [decile(5, 0.5, 0.25, 0.125, 0.625)] }, false, false),
  byModelVersion: [],
  byGroup: [],
  roc: [{ fpr: 0, tpr: 0 }, { fpr: 0.25, tpr: 0.75 }, { fpr: 1, tpr: 1 }],
};

/** A run with something of everything: two findings, three distributions, two windows, three volumes. */
function figures(over: Partial<MonitoringFigures> = {}): MonitoringFigures {
  return {
    asOf: '2026-11-30',
    modelVersion: `v<2>&"q'`,
    referenceAuc: 0.8,
    source: { scores: 'a&b <file>.jsonl', scoresKind: 'snapshot', scoresAsOf: '2026-11-30T02:00:00Z', outcomes: 'log "x"', rates: 'counts <cw>' },
    thresholds: THRESHOLDS,
    drift: true,
    operational: true,
    findings: [{ kind: 'psi', where: 'score', message: '<b>PSI</b> & more' }, { kind: 'freshness', where: 'donors', message: "donors' scores" }],
    rows: { scores: 1000, outcomes: 4 },
    psi: { score: 0.415888, features: { zeta: 0.1, 'a<b': 0.3 }, rows: 1000, drifted: ['score', 'a<b'] },
    psiDetail: {
      score: psi(0.415888, true, 1000, 0.0123, [{ bin: '≤ 0.5', monitored: 0.2, reference: 0.5 }, { bin: '> 0.5', monitored: 0.8, reference: 0.5 }]),
      // Not in alphabetical order: the chart keeps the order given (score first).
      features: { zeta: psi(0.1, false, 990, 0.02), 'a<b': psi(0.3, true, 980, 0.0456) },
    },
    bands: { monitored: { high: 0.25, medium: 0.125, low: 0.625 }, reference: { high: 0.2, medium: 0.3, low: 0.5 } },
    scoresByModelVersion: { v2: 600, 'v<1>': 400 },
    rates: { known: true, scored: 90, rejected: 6, failed: 2, rejectedShare: 0.061224, failedShare: 0.020408 },
    freshness: { refreshPeriodDays: 14, newestScoringDate: '2026-11-30', staleScores: 75, staleShare: 0.075, unscored: 30, unscoredShare: 0.029126, requestsWithoutScore: { rows: 120, withoutScore: 3, share: 0.025 } },
    volumes: { scoresByDay: [{ date: '2026-11-28', count: 4 }, { date: '2026-11-30', count: 2 }], outcomesByWeek: [{ week: '2026-11-23', requests: 3, available: 1 }] },
    outcomes: { windows: [W90, W365] },
    auc: null,
    calibration: null,
    ...over,
  };
}

/** Nothing to show: no stored score, no outcome, no count readable. */
function emptyFigures(over: Partial<MonitoringFigures> = {}): MonitoringFigures {
  return figures({
    modelVersion: 'v1',
    source: { scores: 'scores.jsonl' },
    drift: false,
    operational: false,
    findings: [],
    rows: { scores: 0, outcomes: 0 },
    psi: { score: NaN, features: { age: NaN }, rows: 0, drifted: [] },
    psiDetail: {
      score: psi(NaN, false, 0, Infinity, [{ bin: '≤ 0.5', monitored: 0, reference: 0.5 }, { bin: '> 0.5', monitored: 0, reference: 0.5 }]),
      features: { age: psi(NaN, false, 0, Infinity) },
    },
    bands: { monitored: { high: 0, medium: 0, low: 0 }, reference: { high: 0.2, medium: 0.3, low: 0.5 } },
    scoresByModelVersion: {},
    rates: { known: false, scored: 0, rejected: 0, failed: 0, rejectedShare: 0, failedShare: 0 },
    freshness: { refreshPeriodDays: 14, newestScoringDate: null, staleScores: 0, staleShare: 0, unscored: 0, unscoredShare: 0, requestsWithoutScore: null },
    volumes: { scoresByDay: [], outcomesByWeek: [] },
    outcomes: null,
    ...over,
  });
}

const COLORS = { first: '#4c78a8', second: '#f58518', drift: '#e45756', stable: '#4c78a8' };

describe('the monitoring report: what it says', () => {
  let html: string;
  beforeAll(async () => {
    html = await renderMonitoringReport(figures());
  });

  it('is one self-contained document: no script, no outside resource, its style inline', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Donor readiness monitoring 2026-11-30</title><style>')).toBe(true);
    expect(html.endsWith('</body></html>\n')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|src=|href=/i);
    // The verdict is green when nothing crossed and red when something did.
    expect(html).toContain('.ok{background:#e6f4ea}.alert{background:#fde8e8}');
    expect(html).toContain('.verdict{padding:.8em 1em;border-radius:6px;font-weight:600}');
  });

  it('gives the verdict with its count, its kinds and every finding, escaped', () => {
    expect(html).toContain('<p class="verdict alert" id="verdict">2 thresholds crossed (model drift) (operations)</p>\n<ul id="findings"><li>&lt;b&gt;PSI&lt;/b&gt; &amp; more</li><li>donors&#39; scores</li></ul>\n<h2>');
  });

  it('says where the figures came from, escaping every name', () => {
    expect(prose(html)).toContain('<h1>Donor readiness monitoring, 2026-11-30</h1>\n'
      + '<p>Model v&lt;2&gt;&amp;&quot;q&#39; · 1000 stored scores from a&amp;b &lt;file&gt;.jsonl · 4 request outcomes from log &quot;x&quot;. Aggregates only: this report holds no donor-level row.</p>\n'
      + '<p id="sources">Stored scores: snapshot, as of 2026-11-30T02:00:00Z. Rejection and failure counts: counts &lt;cw&gt;.</p>\n');
  });

  it('states the thresholds it applied in its explanations', () => {
    expect(between(html, '<h2>Inputs', '[figure')).toBe('<h2>Inputs: has the population moved?</h2>\n'
      + "<p>PSI compares each distribution with the training sample's (binned at its deciles). Below 0.1 is stable, 0.1–0.2 a\n"
      + 'moderate shift, ≥ 0.25 a material shift. A PSI is flagged only on at least 40 rows and above the\n'
      + 'sampling-noise floor (the PSI an unchanged population of this size exceeds 1 time in 1,000).</p>\n');
    expect(between(html, '<h2>Outcomes', '<h3>')).toBe('<h2>Outcomes: does the score still predict?</h2>\n'
      + "<p>Each request's outcome against the score the donor had when requested. A calibration gap is flagged when its 95%\n"
      + 'interval lies wholly beyond ±0.04; an AUC when its interval lies wholly below the training AUC\n'
      + '0.800 minus 0.03. Slices of fewer than 30 requests are shown, never flagged.</p>\n'
      + '[figure calibration-curve][figure roc-curve]\n');
  });

  it('puts the figures in their sections, in order', () => {
    expect([...prose(html).matchAll(/\[figure ([^\]]+)\]|<h[234]>([^<]*)</g)].map((m) => m[1] ?? m[2])).toEqual([
      'Inputs: has the population moved?', 'score-histogram', 'psi-by-feature', 'Band mix',
      'Outcomes: does the score still predict?', 'calibration-curve', 'roc-curve',
      'Last 90 days (2026-09-02 to 2026-11-30)', 'By donor group', 'Last 365 days (2025-12-01 to 2026-11-30)', 'By donor group',
      'Operations: are scores current?', 'volumes',
    ]);
  });

  it('shows every figure of every table rounded as written here', () => {
    const [psiTable, bands, w90, w90Groups, w365, w365Groups, operations, versions] = tables(html);
    // PSI and the noise floor to 3 decimals.
    expect(psiTable).toEqual([
      ['distribution', 'rows', 'PSI', 'noise floor', 'flag'],
      ['score', '1000', '0.416', '0.012', 'drift'],
      ['zeta', '990', '0.100', '0.020', 'ok'],
      ['a&lt;b', '980', '0.300', '0.046', 'drift'],
    ]);
    // Shares as percentages to one decimal: 0.125 -> 12.5%, 0.625 -> 62.5%.
    expect(bands).toEqual([['band', 'monitored', 'training reference'], ['high', '25.0%', '20.0%'], ['medium', '12.5%', '30.0%'], ['low', '62.5%', '50.0%']]);
    const head = ['slice', 'requests', 'available', 'AUC (95% CI)', 'observed', 'predicted', 'observed − predicted (95% CI)', 'ECE', 'flag'];
    expect(w90).toEqual([
      head,
      ['all model versions', '4', '2', '0.750 (0.208–1.000)', '50.0%', '40.0%', '0.100 (-0.390 to 0.590)', '0.125', 'calibration'],
      ['model &lt;v1&gt;', '4', '2', '0.600 (0.450–0.700)', '50.0%', '40.0%', '0.100 (-0.390 to 0.590)', '0.125', 'calibration, AUC drop'],
      // One class only: no AUC, one dash (not "– (–––)"); a gap whose interval is unknown.
      ['model v2', '1', '0', '–', '0.0%', '90.0%', '-0.900 (– to –)', '0.125', 'AUC drop'],
    ]);
    const groupHead = ['group', 'value', 'requests', 'observed', 'predicted', 'observed − predicted (95% CI)', 'AUC (95% CI)', 'flag'];
    // 1/3 -> 33.3%, -1/6 -> -0.167.
    expect(w90Groups).toEqual([
      groupHead,
      ['band', 'high &amp; &lt;b&gt;', '3', '33.3%', '50.0%', '-0.167 (-0.700 to 0.350)', '0.500 (0.100–0.900)', 'calibration'],
      ['sex', 'F', '1', '100.0%', '20.0%', '0.800 (– to –)', '–', 'ok'],
    ]);
    expect(w365).toEqual([head, ['all model versions', '8', '2', '0.800 (0.500–0.950)', '50.0%', '40.0%', '0.100 (-0.390 to 0.590)', '0.125', 'ok']]);
    expect(w365Groups).toEqual([groupHead]);
    expect(operations).toEqual([
      ['measure', 'value', 'threshold'],
      ['newest scoring date', '2026-11-30', ''],
      // 0.075 -> 7.5% against 0.06 -> 6.0%; 0.029126 -> 2.9%.
      ['stored scores older than 14 days', '75 (7.5%)', '6.0%'],
      ['donors without a score', '30 (2.9%)', '2.0%'],
      ['donors requested in the last 90 days without a score', '3 of 120 (2.5%)', '2.0%'],
      // 90 + 6 + 2 = 98 handled; 6 / 98 = 6.1%, 2 / 98 = 2.0%; thresholds 7.0% and 1.5%.
      ['donor updates handled (scored or already current)', '98', ''],
      ['donor updates rejected', '6 (6.1%)', '7.0%'],
      ['donor updates failed', '2 (2.0%)', '1.5%'],
    ]);
    expect(versions).toEqual([['model version', 'stored scores'], ['v2', '600'], ['v&lt;1&gt;', '400']]);
  });

  it('writes each table whole, cells side by side, and one window after another', () => {
    expect(html).toContain('<h3>Band mix</h3>\n<table><thead><tr><th>band</th><th>monitored</th><th>training reference</th></tr></thead><tbody>'
      + '<tr><td>high</td><td>25.0%</td><td>20.0%</td></tr><tr><td>medium</td><td>12.5%</td><td>30.0%</td></tr><tr><td>low</td><td>62.5%</td><td>50.0%</td></tr></tbody></table>\n<h2>');
    expect(html).toContain('</tbody></table>\n<h3>Last 365 days (2025-12-01 to 2026-11-30)</h3>\n<table>');
  });
});

describe('the monitoring report: its plots at hand-worked coordinates', () => {
  let html: string;
  beforeAll(async () => {
    html = await renderMonitoringReport(figures());
  });

  it('draws the score histogram: each bin monitored beside reference, heights to scale', () => {
    const svg = figure(html, 'score-histogram');
    expect(svg).toMatch(/^<svg [^>]*width="\d+" height="\d+"/);
    // y: 220 px for 0..80% (the largest share, 0.8, is a round tick): height = share / 0.8 * 220.
    // x: two bins over 520 px; vega-lite pads a band holding offset bars by 0.2 of a step inside and
    // out: step = 520 / (2 - 0.2 + 2 * 0.2) = 236.36, each bin 0.8 step wide, halved between the two.
    const step = 520 / 2.2;
    const bars = marks(svg);
    expect(bars.map((b) => b.label)).toEqual([
      'score bin (training deciles): ≤ 0.5; share of donors: 20.000000%; population: monitored',
      'score bin (training deciles): ≤ 0.5; share of donors: 50.000000%; population: training reference',
      'score bin (training deciles): &gt; 0.5; share of donors: 80.000000%; population: monitored',
      'score bin (training deciles): &gt; 0.5; share of donors: 50.000000%; population: training reference',
    ]);
    expect(bars.map((b) => b.kind)).toEqual(['bar', 'bar', 'bar', 'bar']);
    const expected = [
      [0.2 * step, 220 - 55, 0.4 * step, 55],
      [0.6 * step, 220 - 137.5, 0.4 * step, 137.5],
      [1.2 * step, 0, 0.4 * step, 220],
      [1.6 * step, 220 - 137.5, 0.4 * step, 137.5],
    ];
    bars.forEach((b, i) => expectClose(Object.values(rect(b.d)), expected[i]));
    expect(bars.map((b) => b.fill)).toEqual([COLORS.first, COLORS.second, COLORS.first, COLORS.second]);
    expect(axes(svg)).toEqual([
      "X-axis titled 'score bin (training deciles)' for a discrete scale with 2 values: ≤ 0.5, &gt; 0.5",
      "Y-axis titled 'share of donors' for a linear scale with values from 0% to 80%",
    ]);
    expect(legend(svg)).toEqual(['monitored', 'training reference']);
    expect(texts(svg)).toContain('Score distribution (PSI 0.416)');
  });

  it('draws PSI bars in the order given, coloured by their flag, with the threshold dashed', () => {
    const svg = figure(html, 'psi-by-feature');
    // x: 520 px for 0..0.45 (the largest PSI, 0.415888, rounded up to the next 0.05 tick): x = psi / 0.45 * 520.
    // y: one 20-px step per distribution, each bar 18 px from 1 px into its step.
    const all = marks(svg);
    const bars = all.filter((m) => m.kind === 'bar');
    expect(bars.map((b) => b.label)).toEqual([
      'PSI against the training reference: 0.415888; name: score; crossed: drift',
      'PSI against the training reference: 0.1; name: zeta; crossed: stable',
      'PSI against the training reference: 0.3; name: a&lt;b; crossed: drift',
    ]);
    expectClose(Object.values(rect(bars[0].d)), [0, 1, (0.415888 / 0.45) * 520, 18]);
    expectClose(Object.values(rect(bars[1].d)), [0, 21, (0.1 / 0.45) * 520, 18]);
    expectClose(Object.values(rect(bars[2].d)), [0, 41, (0.3 / 0.45) * 520, 18]);
    expect(bars.map((b) => b.fill)).toEqual([COLORS.drift, COLORS.stable, COLORS.drift]);
    // The threshold 0.25 as a dashed rule across all three steps: x = 0.25 / 0.45 * 520.
    const rules = [...svg.matchAll(/<line transform="translate\(([-\d.e]+),0\)" x2="0" y2="60" stroke="black" stroke-dasharray="4,4"\/>/g)];
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) expect(Number(r[1])).toBeCloseTo((0.25 / 0.45) * 520, 3);
    expect(axes(svg)[0]).toBe("X-axis titled 'PSI against the training reference' for a linear scale with values from 0.0 to 0.5");
    // The names on the y axis, top to bottom: the order given, not alphabetical.
    expect(texts(svg).filter((t) => ['score', 'zeta', 'a&lt;b'].includes(t))).toEqual(['score', 'zeta', 'a&lt;b']);
    expect(legend(svg)).toEqual(['stable', 'drift']);
    expect(texts(svg)).toContain('Population stability index (threshold 0.25)');
  });

  it('draws calibration points and their intervals on the unit square, with the diagonal', () => {
    const svg = figure(html, 'calibration-curve');
    // 360 x 360 px for 0..1 on both axes: x = predicted * 360, y = (1 - observed) * 360.
    const all = marks(svg);
    const diagonal = all.filter((m) => m.kind === 'line mark');
    expect(diagonal).toEqual([expect.objectContaining({ d: 'M0,360L360,0', stroke: '#999', dash: '4,4' })]);
    const rules = all.filter((m) => m.kind === 'rule mark');
    expect(rules.map((r) => r.label)).toEqual([
      'mean predicted score: 0.25; observed availability: 0.1; upper: 0.9; window: last 90 days (n=4)',
      'mean predicted score: 0.75; observed availability: 0.5; upper: 1; window: last 90 days (n=4)',
      'mean predicted score: 0.5; observed availability: 0.125; upper: 0.625; window: last 365 days (n=8)',
    ]);
    // A rule from its lower bound up to its upper: starts at y = (1 - lower) * 360, rises (upper - lower) * 360.
    expectClose(translate(rules[0].transform), [90, 324]);
    expectClose(translate(rules[1].transform), [270, 180]);
    expectClose(translate(rules[2].transform), [180, 315]);
    expect(svg).toContain('transform="translate(90,324)" x2="0" y2="-288"');
    expect(svg).toContain('transform="translate(270,180)" x2="0" y2="-180"');
    expect(svg).toContain('transform="translate(180,315)" x2="0" y2="-180"');
    const points = all.filter((m) => m.kind === 'point');
    expect(points.map((p) => p.label)).toEqual([
      'predicted: 0.25; observed: 0.5; window: last 90 days (n=4)',
      'predicted: 0.75; observed: 1; window: last 90 days (n=4)',
      'predicted: 0.5; observed: 0.25; window: last 365 days (n=8)',
    ]);
    expect(points.map((p) => translate(p.transform))).toEqual([[90, 180], [270, 0], [180, 270]]);
    // Colours follow the window names sorted ("last 365…" before "last 90…").
    expect(points.map((p) => p.fill)).toEqual([COLORS.second, COLORS.second, COLORS.first]);
    expect(rules.map((p) => p.stroke)).toEqual([COLORS.second, COLORS.second, COLORS.first]);
    expect(axes(svg)).toEqual([
      "X-axis titled 'mean predicted score' for a linear scale with values from 0.0 to 1.0",
      "Y-axis titled 'observed availability' for a linear scale with values from 0.0 to 1.0",
    ]);
    expect(legend(svg)).toEqual(['last 365 days (n=8)', 'last 90 days (n=4)']);
    expect(texts(svg)).toContain('Calibration: observed vs predicted by decile (95% intervals)');
  });

  it('draws each ROC curve through its points in order, the AUC in the legend in full', () => {
    const svg = figure(html, 'roc-curve');
    // 360 x 360 px: x = fpr * 360, y = (1 - tpr) * 360.
    const lines = marks(svg).filter((m) => m.kind === 'line mark');
    expect(lines.map((l) => [l.d, l.stroke])).toEqual([
      ['M0,360L360,0', '#999'],
      ['M0,360L0,180L180,180L180,0L360,0', COLORS.second],
      ['M0,360L90,90L360,0', COLORS.first],
    ]);
    expect(lines[0].dash).toBe('4,4');
    expect(lines[1].label).toBe('false positive rate: 0; true positive rate: 0; window: last 90 days (AUC 0.750); i: 0');
    expect(axes(svg)).toEqual([
      "X-axis titled 'false positive rate' for a linear scale with values from 0.0 to 1.0",
      "Y-axis titled 'true positive rate' for a linear scale with values from 0.0 to 1.0",
    ]);
    expect(legend(svg)).toEqual(['last 365 days (AUC 0.800)', 'last 90 days (AUC 0.750)']);
    expect(texts(svg)).toContain('ROC curve');
  });

  it('draws volumes by UTC day, whatever the local time zone', () => {
    const svg = figure(html, 'volumes');
    // x: 2026-11-23 to 2026-11-30 (7 days) over 520 px less 5 px each side: centre = 5 + 510 * days / 7,
    // each bar 5 px wide. y: 180 px for 0..4.
    const bars = marks(svg);
    expect(bars.map((b) => b.label)).toEqual([
      'date: Nov 28, 2026; count: 4; series: stored scores by scoring date',
      'date: Nov 30, 2026; count: 2; series: stored scores by scoring date',
      'date: Nov 23, 2026; count: 3; series: requests with an outcome, by week',
    ]);
    expectClose(Object.values(rect(bars[0].d)), [5 + (510 * 5) / 7 - 2.5, 0, 5, 180]);
    expectClose(Object.values(rect(bars[1].d)), [5 + 510 - 2.5, 90, 5, 90]);
    expectClose(Object.values(rect(bars[2].d)), [5 - 2.5, 45, 5, 135]);
    expect(bars.map((b) => b.fill)).toEqual([COLORS.second, COLORS.second, COLORS.first]);
    // The day ticks are UTC midnights, named for their UTC day (local time would say Sun 22 ... Sun 29).
    expect(texts(svg).filter((t) => /^[A-Z][a-z]{2} \d\d$/.test(t))).toEqual(['Mon 23', 'Tue 24', 'Wed 25', 'Thu 26', 'Fri 27', 'Sat 28', 'Nov 29', 'Mon 30']);
    expect(texts(svg).filter((t) => /^\d$/.test(t))).toEqual(['0', '1', '2', '3', '4']);
    expect(legend(svg)).toEqual(['requests with an outcome, by week', 'stored scores by scoring date']);
    expect(texts(svg)).toContain('Volumes over time');
    expect(texts(svg)).toContain('count');
  });
});

describe('the monitoring report: empty, single-point and NaN figures', () => {
  it('says nothing crossed, and what there is nothing of, when there is nothing', async () => {
    const html = await renderMonitoringReport(emptyFigures());
    expect(html).toContain('<p class="verdict ok" id="verdict">No threshold crossed</p>\n\n<h2>');
    expect(html).not.toContain('id="findings"');
    expect(prose(html)).toContain('<p>Model v1 · 0 stored scores from scores.jsonl · no request outcomes. Aggregates only: this report holds no donor-level row.</p>\n'
      + '<p id="sources">Stored scores: file. Rejection and failure counts: the scores file.</p>');
    // The reference is still drawn; the monitored bars have no height.
    const bars = marks(figure(html, 'score-histogram'));
    expect(bars.map((b) => rect(b.d).height)).toEqual([0, 220, 0, 220]);
    expect(texts(figure(html, 'score-histogram'))).toContain('Score distribution (PSI –)');
    // No PSI to draw: a sentence, not an empty frame.
    expect(figure(html, 'psi-by-feature')).toBe('<p>No stored scores to compare with the training reference.</p>');
    expect(figure(html, 'volumes')).toBe('<p>No stored scores or request outcomes to plot.</p>');
    expect(figureOf(html, 'calibration-curve')).toBeUndefined();
    expect(figureOf(html, 'roc-curve')).toBeUndefined();
    expect(between(html, '<h2>Outcomes', '<h2>Operations')).toBe('<h2>Outcomes: does the score still predict?</h2>\n<p>No request outcomes in this run: AUC and calibration need the outcome log.</p>\n');
    const [psiTable, bands, operations, versions] = tables(html);
    expect(psiTable.slice(1)).toEqual([['score', '0', '–', '–', 'ok'], ['age', '0', '–', '–', 'ok']]);
    expect(bands.slice(1)).toEqual([['high', '0.0%', '20.0%'], ['medium', '0.0%', '30.0%'], ['low', '0.0%', '50.0%']]);
    expect(operations.slice(1)).toEqual([
      ['newest scoring date', '–', ''],
      ['stored scores older than 14 days', '0 (0.0%)', '6.0%'],
      ['donors without a score', '0 (0.0%)', '2.0%'],
      ['donor updates handled (scored or already current)', 'unknown', ''],
      ['donor updates rejected', 'unknown', '7.0%'],
      ['donor updates failed', 'unknown', '1.5%'],
    ]);
    expect(versions).toEqual([['model version', 'stored scores']]);
  });

  it('shows no outcome section for outcome windows that hold no request, nor for a count without windows', async () => {
    for (const over of [{ rows: { scores: 0, outcomes: 0 }, outcomes: { windows: [W90] } }, { rows: { scores: 0, outcomes: 3 }, outcomes: null }]) {
      const html = await renderMonitoringReport(emptyFigures(over));
      expect(figureOf(html, 'calibration-curve')).toBeUndefined();
      expect(html).toContain('<p>No request outcomes in this run: AUC and calibration need the outcome log.</p>');
      expect(html).not.toContain('<h3>Last 90 days');
    }
  });

  it('words one finding, one stored score and one request in the singular, and each kind alone', async () => {
    const one = await renderMonitoringReport(emptyFigures({
      findings: [{ kind: 'rates', where: 'failed', message: 'failed' }], operational: true,
      rows: { scores: 1, outcomes: 1 }, source: { scores: 's', outcomes: 'o' },
    }));
    expect(one).toContain('<p class="verdict alert" id="verdict">1 threshold crossed (operations)</p>\n<ul id="findings"><li>failed</li></ul>');
    expect(one).toContain('<p>Model v1 · 1 stored score from s · 1 request outcome from o. Aggregates');
    const drift = await renderMonitoringReport(emptyFigures({ findings: [{ kind: 'psi', where: 'score', message: 'm' }, { kind: 'auc', where: 'x', message: 'n' }], drift: true }));
    expect(drift).toContain('id="verdict">2 thresholds crossed (model drift)</p>');
  });

  it('draws the PSI of what was counted when the score has none, and volumes of outcomes alone', async () => {
    const html = await renderMonitoringReport(emptyFigures({
      psiDetail: { score: psi(NaN, false, 0, Infinity), features: { age: psi(0.05, false, 10, 1.5) } },
      volumes: { scoresByDay: [], outcomesByWeek: [{ week: '2026-11-23', requests: 2, available: 1 }] },
    }));
    // vega-lite leaves out the NaN bar; 0.05 fills the axis to its next tick (0.05 is one): 520 px.
    const bars = marks(figure(html, 'psi-by-feature')).filter((m) => m.kind === 'bar');
    expect(bars.map((b) => b.label)).toEqual(['PSI against the training reference: 0.05; name: age; crossed: stable']);
    // One date alone sits in the middle of the axis, full height, at a finite size.
    const volumes = figure(html, 'volumes');
    expect(volumes).toMatch(/^<svg [^>]*width="\d+" height="\d+"/);
    const [bar] = marks(volumes);
    expect(bar.label).toBe('date: Nov 23, 2026; count: 2; series: requests with an outcome, by week');
    expectClose(Object.values(rect(bar.d)), [260 - 2.5, 0, 5, 180]);
    // A score PSI that is stable is drawn in the stable colour.
    const stable = await renderMonitoringReport(emptyFigures({ psiDetail: { score: psi(0.02, false, 60, 0.5), features: {} } }));
    expect(marks(figure(stable, 'psi-by-feature')).filter((m) => m.kind === 'bar').map((b) => [b.label, b.fill])).toEqual([
      ['PSI against the training reference: 0.02; name: score; crossed: stable', COLORS.stable],
    ]);
    const scoresOnly = await renderMonitoringReport(emptyFigures({ volumes: { scoresByDay: [{ date: '2026-11-29', count: 1 }], outcomesByWeek: [] } }));
    expect(marks(figure(scoresOnly, 'volumes')).map((b) => b.label)).toEqual(['date: Nov 29, 2026; count: 1; series: stored scores by scoring date']);
  });

  it('draws a one-point ROC (one class only) and a one-decile calibration without failing', async () => {
    const single: OutcomeWindow = {
      ...W90,
      overall: slice('all model versions', [NaN, NaN, NaN], { rows: 1, available: 1, observedRate: 1, meanPredicted: 0.3, inTheLarge: 0.7, deciles: [decile(10, 0.3, 1, 0.206549, 1)] }, false, false),
      byModelVersion: [],
      byGroup: [],
      roc: [{ fpr: 0, tpr: 0 }],
    };
    const html = await renderMonitoringReport(emptyFigures({ rows: { scores: 0, outcomes: 1 }, outcomes: { windows: [single] }, source: { scores: 's', outcomes: 'o' } }));
    const roc = marks(figure(html, 'roc-curve')).filter((m) => m.kind === 'line mark');
    expect(roc.map((l) => l.d)).toEqual(['M0,360L360,0', 'M0,360Z']);
    expect(legend(figure(html, 'roc-curve'))).toEqual(['last 90 days (AUC –)']);
    const cal = marks(figure(html, 'calibration-curve'));
    // 0.3 * 360 = 108; lower 0.206549 -> y = 0.793451 * 360 = 285.64236, up to 1 -> y2 = -285.64236.
    expect(cal.filter((m) => m.kind === 'rule mark').map((r) => translate(r.transform))).toEqual([[108, 285.64236]]);
    expect(cal.filter((m) => m.kind === 'point').map((r) => translate(r.transform))).toEqual([[108, 0]]);
    expect(tables(html)[2][1]).toEqual(['all model versions', '1', '1', '–', '100.0%', '30.0%', '0.700 (-0.390 to 0.590)', '0.125', 'ok']);
    // A window with no request at all: no rate, no mean, no gap (NaN, or null once through JSON).
    const none = slice('all model versions', [NaN, NaN, NaN], { rows: 0, available: 0, observedRate: NaN, meanPredicted: NaN, inTheLarge: null as unknown as number, expectedCalibrationError: NaN }, false, false);
    const empty = await renderMonitoringReport(emptyFigures({ rows: { scores: 0, outcomes: 1 }, outcomes: { windows: [{ ...single, overall: none }] } }));
    expect(tables(empty)[2][1]).toEqual(['all model versions', '0', '0', '–', '–', '–', '–', '–', 'ok']);
  });
});
