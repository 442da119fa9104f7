// The monitoring function's AWS-facing parts with the AWS boundary faked: the rejection and failure
// rates from a CloudWatch GetMetricData answer, the choice of the refresh's newest completed snapshot,
// and one scheduled run over ports (what it reads, what it reports, what it publishes).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipelineCountsFrom, pipelineRatesRequest } from '../../lambdas/monitor-model/pipeline-rates';
import { chooseDataFiles, dataFiles, newestExportSummary } from '../../lambdas/monitor-model/score-snapshot';
import { runScheduledMonitoring, weeklyEmail, type MonitorPorts, type ScoreSource } from '../../lambdas/monitor-model/monitor-model';
import { DEFAULT_THRESHOLDS, type MonitoringFigures } from '../../lambdas/monitoring/monitoring-run';

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'model', 'manifest.json'), 'utf8'));

describe('rejection and failure rates from the scoring metrics', () => {
  it('asks CloudWatch for one Sum over the window of each outcome metric of this stage', () => {
    const from = new Date('2026-11-25T05:30:00Z');
    const request = pipelineRatesRequest('DonorReadiness', 'prod', from, new Date('2026-11-26T05:30:00Z'));
    expect(request).toMatchObject({ StartTime: from, EndTime: new Date('2026-11-26T05:30:00Z') });
    expect(request.MetricDataQueries!.map((q) => [q.Id, q.MetricStat!.Metric!.MetricName, q.MetricStat!.Stat, q.MetricStat!.Period])).toEqual([
      ['scored', 'Scored', 'Sum', 86400],
      ['stale', 'Stale', 'Sum', 86400],
      ['rejected', 'Rejected', 'Sum', 86400],
      ['failed', 'Failed', 'Sum', 86400],
    ]);
    for (const q of request.MetricDataQueries!) {
      expect(q.MetricStat!.Metric).toMatchObject({ Namespace: 'DonorReadiness', Dimensions: [{ Name: 'service', Value: 'score-donor' }, { Name: 'stage', Value: 'prod' }] });
    }
  });

  it('adds up the answer: stale events count as handled, a metric without data counted nothing', () => {
    const counts = pipelineCountsFrom([
      { Id: 'scored', StatusCode: 'PartialData', Values: [900] },
      { Id: 'scored', StatusCode: 'Complete', Values: [40] },
      { Id: 'stale', StatusCode: 'Complete', Values: [10] },
      { Id: 'rejected', StatusCode: 'Complete', Values: [40] },
      { Id: 'failed', StatusCode: 'Complete', Values: [] },
      { Id: 'unrelated', StatusCode: 'Complete', Values: [1e6] },
    ]);
    expect(counts).toEqual({ scored: 950, rejected: 40, failed: 0 });
  });

  it('refuses an answer CloudWatch could not give rather than reading it as zero', () => {
    expect(() => pipelineCountsFrom([{ Id: 'rejected', StatusCode: 'Forbidden', Values: [] }])).toThrow('CloudWatch returned the rejected metric Forbidden');
    expect(() => pipelineCountsFrom([{ Id: 'failed', StatusCode: 'InternalError' }])).toThrow('InternalError');
  });
});

describe("the refresh's snapshot", () => {
  it('takes the newest completed export (a manifest-summary.json), never a started one or another prefix', () => {
    const at = (iso: string) => new Date(iso);
    const newest = newestExportSummary([
      { key: 'snapshots/run-a/AWSDynamoDB/0001-a/manifest-summary.json', lastModified: at('2026-11-24T02:10:00Z') },
      { key: 'snapshots/run-b/AWSDynamoDB/0002-b/manifest-summary.json', lastModified: at('2026-11-25T02:12:00Z') },
      { key: 'snapshots/run-c/AWSDynamoDB/0003-c/_started', lastModified: at('2026-11-26T02:00:00Z') },
      { key: 'snapshots/run-c/AWSDynamoDB/0003-c/data/x.json.gz', lastModified: at('2026-11-26T02:05:00Z') },
      { key: 'runs/run-d/AWSDynamoDB/0004-d/manifest-summary.json', lastModified: at('2026-11-26T03:00:00Z') },
    ]);
    expect(newest?.key).toBe('snapshots/run-b/AWSDynamoDB/0002-b/manifest-summary.json');
    expect(newestExportSummary([])).toBeUndefined();
  });

  it('lists the data files of manifest-files.json and names a line without one', () => {
    expect(dataFiles('{"dataFileS3Key":"a/data/1.json.gz","itemCount":3}\n\n{"dataFileS3Key":"a/data/2.json.gz"}\n')).toEqual([
      { key: 'a/data/1.json.gz', itemCount: 3 },
      { key: 'a/data/2.json.gz', itemCount: null },
    ]);
    expect(() => dataFiles('{"itemCount":3}')).toThrow('manifest-files.json line 1 has no dataFileS3Key');
  });

  it('reads every data file up to the row limit, beyond it a random subset of whole files reaching it', () => {
    const files = Array.from({ length: 10 }, (_, i) => ({ key: `d/${i}.json.gz`, itemCount: 900_000 }));
    expect(chooseDataFiles(files, 9_000_000)).toHaveLength(10);
    // 2,000,000 rows of 900,000-row files: three files (2.7 M), drawn at random.
    let state = 1;
    const random = () => ((state = (state * 48271) % 2147483647) / 2147483647);
    const chosen = chooseDataFiles(files, 2_000_000, random);
    expect(chosen).toHaveLength(3);
    expect(new Set(chosen.map((f) => f.key)).size).toBe(3);
    expect(chooseDataFiles(files, 2_000_000, random).map((f) => f.key)).not.toEqual(chosen.map((f) => f.key));
    // Without item counts nothing can be planned: every file is read.
    expect(chooseDataFiles(files.map((f) => ({ ...f, itemCount: null })), 10)).toHaveLength(10);
  });
});

describe('one scheduled run over ports', () => {
  const records = Array.from({ length: 400 }, (_, i) => ({
    donorId: `D-${i}`,
    score: (i + 0.5) / 400,
    band: i < 130 ? 'low' : i < 250 ? 'medium' : 'high',
    modelVersion: manifest.modelVersion,
    scoringDate: i < 40 ? '2026-09-01' : '2026-11-25',
    features: {},
  }));

  function ports(over: Partial<MonitorPorts>, put: Record<string, string>, published: Record<string, number>[]): MonitorPorts {
    async function* lines() {
      yield* records;
      yield { donorId: 'D-broken', score: 'n/a' };
    }
    return {
      manifest: async () => manifest,
      scoreRecords: async (): Promise<ScoreSource> => ({ items: lines(), kind: 'snapshot', asOf: '2026-11-26T02:00:00.000Z', description: "the refresh's snapshot" }),
      pipelineCounts: async () => ({ scored: 920, rejected: 80, failed: 0 }),
      predictionLog: async () => [],
      putReport: async (key, body) => {
        put[key] = body;
        return `s3://reports/${key}`;
      },
      publishMetrics: (m) => void published.push(m),
      email: async () => undefined,
      ...over,
    };
  }
  const options = { stage: 'test', thresholds: DEFAULT_THRESHOLDS, scoreSampleRows: 100, now: new Date('2026-11-26T05:30:00Z'), weekly: false };

  it('streams the snapshot, counts stale and unreadable records, and reports the rates with real figures', async () => {
    const put: Record<string, string> = {};
    const published: Record<string, number>[] = [];
    const result = await runScheduledMonitoring(ports({}, put, published), options);
    expect(result.scores).toEqual({ kind: 'snapshot', asOf: '2026-11-26T02:00:00.000Z', rows: 400, unreadable: 1 });
    const f = JSON.parse(put['reports/2026-11-26/figures.json']) as MonitoringFigures;
    // 40 of 400 scored 2026-09-01, 86 days before the run: stale beyond 30 days.
    expect(f.freshness).toMatchObject({ staleScores: 40, staleShare: 0.1, unscored: 1 });
    // 80 rejected of 920 + 80 + 0 handled = 8%, above the 5% threshold; 0 failed.
    expect(f.rates).toEqual({ known: true, scored: 920, rejected: 80, failed: 0, rejectedShare: 0.08, failedShare: 0 });
    expect(f.findings.map((x) => x.where)).toEqual(expect.arrayContaining(['rejected', 'stored scores']));
    expect(f.operational).toBe(true);
    expect(f.source).toMatchObject({ scoresKind: 'snapshot', scoresAsOf: '2026-11-26T02:00:00.000Z' });
    expect(f.source.rates).toBe("the scoring function's metrics, 2026-11-25T05:30:00.000Z to 2026-11-26T05:30:00.000Z");
    expect(published[0]).toMatchObject({ RejectedShare: 0.08, FailedShare: 0, StaleScoreShare: 0.1, MonitoredScores: 400 });
    expect(put['reports/2026-11-26/report.html']).toContain('<td>donor updates rejected</td><td>80 (8.0%)</td>');
    expect(put['reports/2026-11-26/report.html']).not.toContain('D-1');
  });

  it('still reports when the metrics cannot be read: rates unknown, said why, no rate finding, no rate metric', async () => {
    const put: Record<string, string> = {};
    const published: Record<string, number>[] = [];
    const result = await runScheduledMonitoring(ports({ pipelineCounts: async () => Promise.reject(new Error('AccessDenied')) }, put, published), options);
    expect(result.rates).toBeNull();
    const f = JSON.parse(put['reports/2026-11-26/figures.json']) as MonitoringFigures;
    expect(f.rates.known).toBe(false);
    expect(f.source.rates).toBe("unknown: the scoring function's metrics could not be read (Error: AccessDenied)");
    expect(f.findings.filter((x) => x.kind === 'rates')).toEqual([]);
    expect(published[0].RejectedShare).toBeUndefined();
  });

  it('e-mails the first 12 findings and counts the rest, with the report link and no donor row', async () => {
    const put: Record<string, string> = {};
    await runScheduledMonitoring(ports({}, put, []), options);
    const f = JSON.parse(put['reports/2026-11-26/figures.json']) as MonitoringFigures;
    const many = { ...f, findings: Array.from({ length: 20 }, (_, i) => ({ kind: 'calibration' as const, where: `group ${i}`, message: `finding ${i}` })) };
    const mail = weeklyEmail('prod', many, 's3://reports/reports/2026-11-26/report.html');
    expect(mail.subject).toBe('[donor-readiness prod] monitoring 2026-11-26: 20 thresholds crossed');
    expect(mail.body).toContain('- finding 11\n- and 8 more: see the report');
    expect(mail.body).not.toContain('finding 12');
    expect(mail.body).toContain('s3://reports/reports/2026-11-26/report.html');
    expect(mail.body).not.toMatch(/D-\d/);
  });

  it('does not call a handful of updates a rate (1 rejected of 3)', async () => {
    const put: Record<string, string> = {};
    await runScheduledMonitoring(ports({ pipelineCounts: async () => ({ scored: 2, rejected: 1, failed: 0 }) }, put, []), options);
    const f = JSON.parse(put['reports/2026-11-26/figures.json']) as MonitoringFigures;
    expect(f.rates.rejectedShare).toBeCloseTo(1 / 3, 6);
    expect(f.findings.filter((x) => x.kind === 'rates')).toEqual([]);
  });
});
