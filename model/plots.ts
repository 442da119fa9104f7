// Two small, dependency-free SVG plots for the model card. Deterministic text, so re-training with
// the same config reproduces the same files.
import type { ModelManifest } from '../lambdas/core/model-manifest';
import type { CalibrationBin } from './metrics';

const SIZE = 360;
const PAD = 48;
const PLOT = SIZE - 2 * PAD;
const x = (v: number) => (PAD + v * PLOT).toFixed(1);
const y = (v: number) => (SIZE - PAD - v * PLOT).toFixed(1);

function frame(title: string, xLabel: string, yLabel: string, body: string): string {
  const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1]
    .map(
      (t) =>
        `<line x1="${x(t)}" y1="${y(0)}" x2="${x(t)}" y2="${y(1)}" stroke="#eee"/>` +
        `<line x1="${x(0)}" y1="${y(t)}" x2="${x(1)}" y2="${y(t)}" stroke="#eee"/>` +
        `<text x="${x(t)}" y="${SIZE - PAD + 16}" text-anchor="middle">${t.toFixed(1)}</text>` +
        `<text x="${PAD - 6}" y="${(Number(y(t)) + 4).toFixed(1)}" text-anchor="end">${t.toFixed(1)}</text>`,
    )
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
<text x="${SIZE / 2}" y="20" text-anchor="middle" font-size="13" font-weight="bold">${title}</text>
${ticks}
<rect x="${PAD}" y="${PAD}" width="${PLOT}" height="${PLOT}" fill="none" stroke="#333"/>
<text x="${SIZE / 2}" y="${SIZE - 10}" text-anchor="middle">${xLabel}</text>
<text x="14" y="${SIZE / 2}" text-anchor="middle" transform="rotate(-90 14 ${SIZE / 2})">${yLabel}</text>
<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#999" stroke-dasharray="4 4"/>
${body}
</svg>
`;
}

const polyline = (points: [number, number][], color: string) =>
  `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.map(([a, b]) => `${x(a)},${y(b)}`).join(' ')}"/>`;

export function calibrationPlotSvg(bins: CalibrationBin[], manifest: ModelManifest): string {
  const used = bins.filter((b) => b.rows > 0);
  const dots = used
    .map((b) => `<circle cx="${x(b.meanPredicted)}" cy="${y(b.observedRate)}" r="${Math.min(9, 2 + Math.sqrt(b.rows) / 20).toFixed(1)}" fill="#1f77b4" fill-opacity="0.7"><title>${b.rows} donors</title></circle>`)
    .join('\n');
  const m = manifest.metrics.heldOut;
  return frame(
    `Calibration, model ${manifest.modelVersion} (ECE ${m.expectedCalibrationError.toFixed(3)})`,
    'mean predicted readiness (10 bins)',
    'observed availability',
    `${polyline(used.map((b) => [b.meanPredicted, b.observedRate]), '#1f77b4')}\n${dots}`,
  );
}

export function rocPlotSvg(model: [number, number][], oracle: [number, number][], manifest: ModelManifest): string {
  const m = manifest.metrics.heldOut;
  const legend =
    `<text x="${x(0.45)}" y="${y(0.12)}" fill="#1f77b4">model AUC ${m.auc.toFixed(3)}</text>` +
    (Number.isFinite(m.oracleAuc) ? `<text x="${x(0.45)}" y="${y(0.05)}" fill="#d62728">oracle AUC ${m.oracleAuc.toFixed(3)}</text>` : '');
  return frame(
    `ROC, held-out donors (${m.rows})`,
    'false positive rate',
    'true positive rate',
    `${polyline(oracle, '#d62728')}\n${polyline(model, '#1f77b4')}\n${legend}`,
  );
}
