// Drift is flagged where it exists and not where it does not: populations from the synthetic
// generator, scored by the committed ONNX model, monitored against the manifest's training reference.
import { validateDetail } from '../../lambdas/core/donor-updated';
import { deriveFeatures, toFeatureRecord } from '../../lambdas/core/features';
import type { ReadinessModel } from '../../lambdas/core/readiness-model';
import { runMonitoring, type MonitoredOutcome, type MonitoredScore } from '../../lambdas/monitoring/monitoring-run';
import { loadLocalModel } from '../../cli/local-model';
import { readReference } from '../../cli/monitor-command';
import { DEFAULT_MODEL_DIR } from '../../cli/local-model';
import { takeRows } from '../../model/synthetic-registry';

let model: ReadinessModel;
let reference: Awaited<ReturnType<typeof readReference>>;
beforeAll(async () => {
  model = await loadLocalModel();
  reference = await readReference(DEFAULT_MODEL_DIR);
});

/** Donors drawn as of `drawnAsOf`, scored as of `scoredAsOf`; the truth is each request's outcome. */
async function population(opts: { rows: number; seed: number; drawnAsOf: string; scoredAsOf?: string; baseRate?: number }) {
  const rows = takeRows({ seed: opts.seed, asOf: opts.drawnAsOf, baseRate: opts.baseRate }, opts.rows);
  const scoredAsOf = opts.scoredAsOf ?? opts.drawnAsOf;
  const vectors = rows.map((r) => {
    const checked = validateDetail(r.detail, scoredAsOf);
    if (!checked.ok) throw new Error('generator row invalid');
    return deriveFeatures(checked.detail.donor, scoredAsOf);
  });
  const predictions = await model.predict(vectors);
  const scores: MonitoredScore[] = predictions.map((p, i) => ({
    score: p.score,
    band: p.band,
    modelVersion: model.version,
    scoringDate: scoredAsOf,
    features: toFeatureRecord(vectors[i]),
  }));
  const outcomes: MonitoredOutcome[] = scores.map((s, i) => ({ ...s, requestedAt: `${scoredAsOf}T12:00:00Z`, available: rows[i].truth.available, ancestryGroup: rows[i].truth.ancestryGroup }));
  return { scores, outcomes, asOf: scoredAsOf };
}

const monitor = (p: Awaited<ReturnType<typeof population>>, withOutcomes = true) =>
  runMonitoring({
    asOf: p.asOf,
    reference: reference.reference,
    referenceModelVersion: reference.modelVersion,
    scores: p.scores,
    outcomes: withOutcomes ? p.outcomes : undefined,
    counts: { scored: p.scores.length, rejected: 0, failed: 0, unscored: 0 },
    source: { scores: 'test' },
  });

describe('drift on populations the model was not trained on', () => {
  it('does not flag a fresh draw of the training population, large or small', async () => {
    for (const [rows, seed, asOf] of [[4000, 901, '2026-11-25'], [400, 902, '2031-02-01'], [60, 903, '2024-05-17'], [12, 904, '2026-11-25']] as const) {
      const figures = monitor(await population({ rows, seed, drawnAsOf: asOf }));
      expect({ rows, findings: figures.findings }).toEqual({ rows, findings: [] });
      expect(figures.drift).toBe(false);
    }
  });

  it('does not false-alarm on small samples: 30 fresh draws of 50 to 100 donors, each judged on 23 distributions', async () => {
    // Before empty bins counted as half a row and sparse bins were merged, 14 of 40 draws of 60 donors crossed.
    const crossed: string[] = [];
    for (const rows of [50, 70, 100]) {
      for (let seed = 1100; seed < 1110; seed++) {
        const figures = monitor(await population({ rows, seed, drawnAsOf: '2026-11-25' }), false);
        if (figures.drift) crossed.push(`${rows} rows, seed ${seed}: ${figures.psi.drifted.join(', ')}`);
      }
    }
    expect(crossed).toEqual([]);
  });

  it('flags the same donors scored one year later on 2,000 donors, and three years later on 100', async () => {
    const year = monitor(await population({ rows: 2000, seed: 908, drawnAsOf: '2026-11-25', scoredAsOf: '2027-11-25' }), false);
    expect(year.psi.drifted).toEqual(expect.arrayContaining(['yearsSinceContactVerified', 'yearsSinceLastResponse']));
    const small = monitor(await population({ rows: 100, seed: 909, drawnAsOf: '2026-11-25', scoredAsOf: '2029-11-25' }), false);
    expect(small.drift).toBe(true);
  });

  it('flags the same donors scored three years later (stale contacts, expired pauses)', async () => {
    const figures = monitor(await population({ rows: 3000, seed: 905, drawnAsOf: '2026-11-25', scoredAsOf: '2029-11-25' }), false);
    expect(figures.drift).toBe(true);
    expect(figures.psi.score).toBeGreaterThanOrEqual(0.2);
    expect(figures.psi.drifted).toEqual(expect.arrayContaining(['score', 'yearsSinceContactVerified', 'yearsSinceLastResponse']));
    expect(figures.psi.drifted).not.toContain('female');
  });

  it('flags a shifted base rate through calibration, not PSI, once outcomes are there', async () => {
    const p = await population({ rows: 3000, seed: 906, drawnAsOf: '2026-11-25', baseRate: 0.77 });
    expect(monitor(p, false).drift).toBe(false);
    const figures = monitor(p);
    expect(figures.drift).toBe(true);
    expect(figures.psi.drifted).toEqual([]);
    expect(figures.calibration!.inTheLarge).toBeGreaterThan(0.15);
    expect(figures.calibration!.rows).toBe(3000);
    expect(figures.findings.map((f) => f.kind)).toContain('calibration');
    expect(figures.auc!.value).toBeGreaterThan(0.75);
    expect(figures.findings.map((f) => f.kind)).not.toContain('auc');
  });

  it('flags an AUC drop when outcomes no longer follow the score', async () => {
    const p = await population({ rows: 2000, seed: 907, drawnAsOf: '2026-11-25' });
    // Outcomes shuffled across donors: same base rate, no relation to the score.
    const shuffled = p.outcomes.map((o, i) => ({ ...o, available: p.outcomes[(i * 7919) % p.outcomes.length].available }));
    const figures = monitor({ ...p, outcomes: shuffled });
    expect(figures.auc!.value).toBeLessThan(0.6);
    expect(figures.findings.map((f) => f.kind)).toContain('auc');
    expect(figures.drift).toBe(true);
  });
});
