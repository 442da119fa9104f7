// The local counterpart of the registry closing transplant centres' requests (issue 17): for a
// share of the donors the run scored, a DonorRequestOutcome event whose outcome is the synthetic
// truth of that donor (the generator's own draw), delivered through the outcome rule's pattern and
// the real bundled outcome handler; then the monitoring run over the twin's tables, so `npm start`
// leaves a report with a live calibration curve.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from '../model/random';
import { generateRegistry, type DonorTruth } from '../model/synthetic-registry';
import { readPredictionLogRow, readScoreRecord } from '../lambdas/monitoring/monitoring-inputs';
import { renderMonitoringReport } from '../lambdas/monitoring/monitoring-report';
import { runMonitoring, type MonitoredOutcome, type MonitoredScore } from '../lambdas/monitoring/monitoring-run';
import type { MonitoringReference } from '../lambdas/monitoring/monitoring-reference';
import type { BusEvent, EventSourceIdentity } from './donor-update-stream';
import { deliverAll } from './local-delivery';
import { compileEventPattern } from './event-pattern';
import type { Handler } from './local-function';
import type { AwsClients, LocalPipeline } from './provision';

/** Why requested donors were unavailable (Lown 2014); emigrated and other have no contract value. */
const REASONS: [string | null, number][] = [['no_contact', 0.36], ['medical', 0.34], ['personal', 0.19], [null, 0.11]];

export interface OutcomeTrafficOptions {
  share: number;
  seed: number;
  asOf: string;
  badFraction: number;
  identity: EventSourceIdentity;
  now: Date;
}

/** What an outcome needs of a donor's truth (kept small: a long run holds one per donor). */
export type OutcomeTruth = Pick<DonorTruth, 'available'>;

/** Truth of the first `donors` generated donors: the same seed and date give the same donors as the traffic. */
export function truthByDonor(seed: number, asOf: string, donors: number): Map<string, OutcomeTruth> {
  const truths = new Map<string, OutcomeTruth>();
  const available = { 0: { available: 0 }, 1: { available: 1 } } as const;
  for (const row of generateRegistry({ seed, asOf })) {
    if (truths.size >= donors) break;
    truths.set(row.detail.donorId, available[row.truth.available]);
  }
  return truths;
}

/**
 * Only donors still at revision 1 get an outcome: a later revision in the twin's traffic re-engages
 * the donor (contact confirmed, a response), which the generator's truth for the original record
 * does not know about.
 */
export function generateOutcomeEvents(scored: { donorId: string; updatedAt: string; revision: number }[], truths: Map<string, OutcomeTruth>, o: OutcomeTrafficOptions): BusEvent[] {
  const rng = new Random(o.seed ^ 0x0c7e);
  const events: BusEvent[] = [];
  const id = () => `${rng.token(8)}-${rng.token(4)}-${rng.token(4)}-${rng.token(4)}-${rng.token(12)}`;
  const now = o.now.getTime();
  for (const donor of scored) {
    const truth = truths.get(donor.donorId);
    if (!truth || donor.revision !== 1 || !rng.bernoulli(o.share)) continue;
    // Requested some time after the record the score was computed from (it stood at the request).
    const from = Math.min(now, Date.parse(donor.updatedAt) + 3_600_000);
    const requestedAt = new Date(from + Math.floor(rng.uniform() * (now - from))).toISOString().replace(/\.\d{3}Z$/, 'Z');
    let reason: string | null = null;
    if (!truth.available) {
      let u = rng.uniform();
      reason = REASONS.find(([, p]) => (u -= p) < 0)?.[0] ?? null;
    }
    const detail: Record<string, unknown> = {
      requestId: `REQ-${rng.token(12).toUpperCase()}`,
      donorId: donor.donorId,
      requestedAt,
      outcome: truth.available ? 'available' : 'unavailable',
      reason,
    };
    if (rng.bernoulli(o.badFraction)) detail.outcome = 'declined'; // a publisher bug: not in the contract
    const event: BusEvent = { version: '0', id: id(), source: o.identity.source, 'detail-type': o.identity.detailType, account: o.identity.account, time: o.now.toISOString(), region: o.identity.region, resources: [], detail };
    events.push(event);
    if (rng.bernoulli(0.03)) events.push(structuredClone(event)); // at-least-once delivery
  }
  return events;
}

export interface OutcomeSummary {
  sent: number;
  recorded: number;
  duplicate: number;
  rejected: number;
  deadLettered: number;
  withPrediction: number;
  report: string;
  drift: boolean;
  auc: number | null;
  calibration: { observed: number; predicted: number; rows: number } | null;
}

export async function runRequestOutcomes(args: {
  pipeline: LocalPipeline;
  clients: AwsClients;
  handler: Handler;
  events: BusEvent[];
  concurrency: number;
  /** The table's items, a page at a time. */
  scan: (table: string) => AsyncIterable<Record<string, unknown>[]>;
  reference: { modelVersion: string; reference: MonitoringReference };
  scoringCounts: { scored: number; rejected: number; failed: number };
  asOf: string;
  workDir: string;
}): Promise<OutcomeSummary> {
  const outcomes = args.pipeline.outcomes!;
  // One fate per delivery (a duplicate delivery has the same event id, so not a map by id).
  const fates: string[] = [];
  const handler: Handler = async (event) => {
    const result = (await args.handler(event)) as { outcome: string };
    fates.push(result.outcome);
    return result;
  };
  const records = await deliverAll(args.events, {
    matches: compileEventPattern(outcomes.rule.eventPattern),
    handler,
    fn: outcomes.fn,
    sqs: args.clients.sqs,
    functionArn: args.pipeline.identities.get(outcomes.fn.logicalId)!.attributes.Arn,
    concurrency: args.concurrency,
  });
  const count = (fate: string) => fates.filter((f) => f === fate).length;

  // The monitoring run over the twin's two tables, as the scheduled function reads them.
  const scores: MonitoredScore[] = [];
  for await (const page of args.scan(args.pipeline.scoreTable)) {
    for (const item of page) {
      const read = readScoreRecord(item);
      if (read.ok) scores.push(read.value);
    }
  }
  const logged: MonitoredOutcome[] = [];
  const requests = { rows: 0, withoutScore: 0 };
  for await (const page of args.scan(outcomes.fn.environment.OUTCOME_TABLE_NAME)) {
    for (const item of page) {
      const read = readPredictionLogRow(item);
      if (read.ok) logged.push(read.value);
      requests.rows++;
      if (!read.ok && read.reason === 'no score at the request') requests.withoutScore++;
    }
  }
  const figures = runMonitoring({
    asOf: args.asOf,
    reference: args.reference.reference,
    referenceModelVersion: args.reference.modelVersion,
    scores,
    outcomes: logged,
    counts: { ...args.scoringCounts, unscored: 0 },
    requests,
    source: { scores: 'the twin score table', scoresKind: 'table', scoresAsOf: new Date().toISOString(), outcomes: 'the twin prediction log', rates: "this run's donor updates (scored, rejected, dead-lettered)" },
  });
  const dir = join(args.workDir, 'monitoring');
  mkdirSync(dir, { recursive: true });
  const report = join(dir, 'report.html');
  writeFileSync(report, await renderMonitoringReport(figures));
  writeFileSync(join(dir, 'figures.json'), `${JSON.stringify(figures, null, 2)}\n`);
  return {
    sent: args.events.length,
    recorded: count('recorded'),
    duplicate: count('duplicate'),
    rejected: count('rejected'),
    deadLettered: records.filter((r) => r.fate === 'dead-lettered').length,
    withPrediction: logged.length,
    report,
    drift: figures.drift,
    auc: figures.auc?.value ?? null,
    calibration: figures.calibration ? { observed: figures.calibration.observedRate, predicted: figures.calibration.meanPredicted, rows: figures.calibration.rows } : null,
  };
}
