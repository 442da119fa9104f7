// `drs compare`: champion against challenger on the same history rows; the arithmetic and the
// verdict are model/champion-challenger.ts. Exit code 2 only on bad input: a verdict is not an error.
import { compareModels, type Comparison } from '../model/champion-challenger';
import { gateLimits, readTrainingConfig } from '../model/train';
import { readTrainingData } from '../model/training-data';
import { loadLocalModel } from './local-model';
import { fail } from './terminal';

export interface CompareOptions {
  champion: string;
  challenger: string;
  data: string;
  json: boolean;
  seed: number;
  resamples: number;
  gate: string[];
}

export async function compareDirectories(options: Omit<CompareOptions, 'json'>): Promise<Comparison> {
  const rows = readTrainingData(options.data);
  const limits = gateLimits(readTrainingConfig(), options.gate);
  const load = async (role: string, dir: string) => {
    try {
      return await loadLocalModel(dir);
    } catch (error) {
      throw new Error(`--${role} ${dir}: ${(error as Error).message}`);
    }
  };
  const [champion, challenger] = [await load('champion', options.champion), await load('challenger', options.challenger)];
  const vectors = rows.map((r) => r.vector);
  return compareModels({
    champion: { manifest: champion.manifest, predicted: await champion.probabilities(vectors) },
    challenger: { manifest: challenger.manifest, predicted: await challenger.probabilities(vectors) },
    labels: rows.map((r) => r.label),
    vectors,
    limits,
    seed: options.seed,
    resamples: options.resamples,
  });
}

const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(4)}`;

export function comparisonText(c: Comparison): string {
  const worstGap = (groups: Comparison['champion']['groups']) =>
    groups.reduce((w, g) => (Math.abs(g.calibrationGap) > Math.abs(w.calibrationGap) ? g : w), groups[0]);
  const wc = worstGap(c.champion.groups);
  const wh = worstGap(c.challenger.groups);
  const lines = [
    `${c.rows} requests (${c.available} available), bootstrap ${c.bootstrap.resamples} resamples, seed ${c.bootstrap.seed}`,
    '',
    '                         champion     challenger   difference [95% interval]',
    `model                    ${c.champion.modelVersion.padEnd(12)} ${c.challenger.modelVersion.padEnd(12)}`,
    `AUC                      ${c.champion.auc.toFixed(4).padEnd(12)} ${c.challenger.auc.toFixed(4).padEnd(12)} ` +
      `${signed(c.difference.auc.estimate)} [${signed(c.difference.auc.lower)} .. ${signed(c.difference.auc.upper)}]`,
    `calibration error (ECE)  ${c.champion.expectedCalibrationError.toFixed(4).padEnd(12)} ${c.challenger.expectedCalibrationError.toFixed(4).padEnd(12)} ` +
      `${signed(c.difference.expectedCalibrationError.estimate)} [${signed(c.difference.expectedCalibrationError.lower)} .. ${signed(c.difference.expectedCalibrationError.upper)}]`,
    `worst group gap          ${`${wc.dimension} ${wc.group} ${signed(wc.calibrationGap)}`}  /  ${`${wh.dimension} ${wh.group} ${signed(wh.calibrationGap)}`}`,
    `donors changing band     ${(c.bandChanges.share * 100).toFixed(1)}% (${c.bandChanges.rows})${Object.keys(c.bandChanges.moves).length ? `: ${Object.entries(c.bandChanges.moves).map(([k, v]) => `${k} ${v}`).join(', ')}` : ''}`,
    '',
    'challenger gates:',
    ...c.challenger.gates.map((g) => `  ${g.passed ? 'pass' : 'FAIL'}  ${g.gate}: ${g.detail}`),
    '',
    `verdict: ${c.verdict === 'ship-challenger' ? 'SHIP THE CHALLENGER' : 'KEEP THE CHAMPION'}${c.significantDifference ? '' : ' (no significant difference)'}`,
    ...c.reasons.map((r) => `  - ${r}`),
  ];
  return `${lines.join('\n')}\n`;
}

export async function runCompare(options: CompareOptions): Promise<void> {
  let comparison: Comparison;
  try {
    comparison = await compareDirectories(options);
  } catch (error) {
    fail((error as Error).message);
  }
  process.stdout.write(options.json ? `${JSON.stringify(comparison)}\n` : comparisonText(comparison));
}
