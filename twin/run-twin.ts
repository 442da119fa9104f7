// `npm start`: the deployed architecture, end to end, on this machine. Synthesizes the app, starts
// the local endpoints, provisions the template on them, delivers events through the rule's pattern
// and the real bundled handler with Lambda's async semantics, and accounts for every event.
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { compileEventPattern } from './event-pattern';
import { generateTraffic, lineProblemOf, readEventsFile, type BusEvent } from './donor-update-stream';
import { deliverAll, type DeliveryRecord } from './local-delivery';
import { routeHandlerOutput } from './handler-output';
import { loadHandler } from './local-function';
import { startSchedule } from './local-schedule';
import { startLocalEndpoints, LOCAL_ACCOUNT, LOCAL_REGION, type LocalEndpoints } from './local-endpoints';
import { localClients, provisionFromTemplate, type AwsClients, type LocalPipeline } from './provision';
import { synthesizePipeline, type SynthesizedPipeline } from './synthesize';
import { drainMailboxes, writeOutbox } from './outbox';
import { generateOutcomeEvents, runRequestOutcomes, truthByDonor, type OutcomeSummary } from './request-outcomes';
import { readReference } from '../cli/monitor-command';
import { DEFAULT_MODEL_DIR } from '../cli/local-model';
import { attachLocalPipes, type ChangeEventCounts } from './local-pipes';

export interface TwinOptions {
  events: number;
  eventsFile?: string;
  badFraction: number;
  concurrency: number;
  seed: number;
  asOf: string;
  dataDir?: string;
  workDir: string;
  alertEmails: string;
  dumpTable?: string;
  onProgress?: (done: number, total: number) => void;
  /** An already synthesized stack to run (the benchmark synthesizes once for all its runs). */
  synthesized?: SynthesizedPipeline;
  /** Endpoint overrides for the function only (a fault-injecting proxy in tests). */
  functionEndpoints?: (endpoints: LocalEndpoints) => Promise<Record<string, string>>;
  /** Endpoint overrides for the alert digest function only. */
  digestEndpoints?: (endpoints: LocalEndpoints) => Promise<Record<string, string>>;
  /** How often the alert digest runs during delivery (the stack: every minute). */
  digestEveryMs?: number;
  /** Share of scored donors that get a DonorRequestOutcome event from their synthetic truth (0: none). */
  outcomeShare?: number;
}

export interface TwinSummary {
  stack: string;
  in: number;
  matched: number;
  scored: number;
  ignored: { total: number; staleOrDuplicate: number; notMatched: number };
  rejected: { total: number; byReason: Record<string, number> };
  retried: { invocations: number; eventsRecovered: number };
  deadLettered: number;
  /** Events no queue kept after their invocations failed, with the reason for each. */
  undelivered: { total: number; events: { eventId: string; reason: string }[] };
  emailsSent: number;
  handlerLatencyMs: { p50: number; p99: number; invocations: number };
  bands: Record<string, number>;
  queues: Record<string, number>;
  tableItems: number;
  accounted: boolean;
  missing: string[];
  outbox: string;
  logFile: string;
  seconds: number;
  /** From the first delivery to the last: what throughput is measured on. */
  deliverySeconds: number;
  traffic?: Record<string, number>;
  /** Request outcomes and the monitoring report (generated traffic only). */
  outcomes?: OutcomeSummary;
  /** DonorReadinessChanged events the stack's pipes would have put on the bus (written to <work dir>/events/). */
  readinessChanged: ChangeEventCounts;
}

export interface TwinRun {
  summary: TwinSummary;
  records: DeliveryRecord[];
  endpoints: LocalEndpoints;
  clients: AwsClients;
  pipeline: LocalPipeline;
  synthesized: SynthesizedPipeline;
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0);
const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * The functions' log lines go to a log file, as in Lambda they go to the log group. Buffered: one
 * write per 64 KB instead of a synchronous write per line (two lines an event), flushed at the end.
 */
export async function withCapturedLogs<T>(logFile: string, run: () => Promise<T>): Promise<T> {
  let pending: string[] = [];
  let size = 0;
  const flush = () => {
    if (pending.length) appendFileSync(logFile, pending.join(''));
    pending = [];
    size = 0;
  };
  try {
    return await routeHandlerOutput((text) => {
      pending.push(text);
      size += text.length;
      if (size >= 65_536) flush();
    }, run);
  } finally {
    flush();
  }
}

async function queueDepth(clients: AwsClients, url: string): Promise<number> {
  const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
}

export async function scanTable(clients: AwsClients, tableName: string): Promise<Record<string, unknown>[]> {
  const documents = DynamoDBDocumentClient.from(clients.dynamodb);
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items.sort((a, b) => String(a.donorId).localeCompare(String(b.donorId)));
}

/** Runs the twin; the caller stops `endpoints` (or keeps them for --serve). */
export async function runTwin(options: TwinOptions): Promise<TwinRun> {
  const started = performance.now();
  mkdirSync(options.workDir, { recursive: true });
  const logFile = join(options.workDir, 'score-donor.log');
  const outbox = join(options.workDir, 'outbox');
  rmSync(logFile, { force: true });
  rmSync(outbox, { recursive: true, force: true });

  const synthesized = options.synthesized ?? synthesizePipeline({ stage: 'local', alertEmails: options.alertEmails }, join(options.workDir, 'cdk.out'));
  const endpoints = await startLocalEndpoints({ dataDir: options.dataDir });
  try {
    const clients = localClients(endpoints);
    const pipeline = await provisionFromTemplate({ ...synthesized, clients });
    const pipes = await attachLocalPipes({ template: synthesized.template, pipeline, endpoints, workDir: options.workDir });
    const matches = compileEventPattern(pipeline.rule.eventPattern);
    const identity = {
      source: synthesized.config.eventSource,
      detailType: synthesized.config.detailType,
      account: LOCAL_ACCOUNT,
      region: LOCAL_REGION,
    };
    let traffic: Record<string, number> | undefined;
    let events: BusEvent[];
    if (options.eventsFile) {
      events = readEventsFile(options.eventsFile, identity, options.seed);
    } else {
      const generated = generateTraffic({ events: options.events, seed: options.seed, asOf: options.asOf, badFraction: options.badFraction, identity });
      events = generated.events;
      traffic = generated.shape;
    }
    const fn = pipeline.scoringFunction;
    let done = 0;
    let deliveryStarted = 0;
    const records = await withCapturedLogs(logFile, async () => {
      // Loaded inside the capture: its cold start logs (and the SDK's warnings) belong to its log.
      // Both functions run in this one process and the SDK reads endpoint variables lazily, so
      // every override applies to both (tests override different services for each).
      const overrides = {
        ...(options.functionEndpoints ? await options.functionEndpoints(endpoints) : {}),
        ...(options.digestEndpoints ? await options.digestEndpoints(endpoints) : {}),
      };
      const digest = pipeline.alertDigest;
      const digestHandler = digest ? loadHandler(digest.handlerFile, digest.handlerExport, { ...digest.environment, ...endpoints.env, ...overrides }) : undefined;
      const handler = loadHandler(fn.handlerFile, fn.handlerExport, { ...fn.environment, ...endpoints.env, ...overrides });
      const schedule = digestHandler
        ? startSchedule(digestHandler, options.digestEveryMs ?? 60_000, (error) =>
            appendFileSync(logFile, `${JSON.stringify({ level: 'ERROR', service: 'twin', message: 'alert digest run failed', error: `${error.name}: ${error.message}` })}\n`),
          )
        : undefined;
      deliveryStarted = performance.now();
      try {
        return await deliverAll(events, {
        matches,
        handler,
        fn,
        sqs: clients.sqs,
        functionArn: pipeline.identities.get(fn.logicalId)!.attributes.Arn,
        concurrency: options.concurrency,
          onDelivered: () => options.onProgress?.(++done, events.length),
        });
      } finally {
        await schedule?.stop();
      }
    });

    const deliverySeconds = (performance.now() - deliveryStarted) / 1000;
    const count = (fate: DeliveryRecord['fate']) => records.filter((r) => r.fate === fate).length;
    const byReason: Record<string, number> = {};
    records.forEach((r, i) => {
      if (r.fate !== 'rejected') return;
      // A file line that was blank, not JSON or not an object is named as drs score names it.
      const reason = lineProblemOf(events[i]) ?? r.reason ?? 'unknown';
      byReason[reason] = (byReason[reason] ?? 0) + 1;
    });
    const bands: Record<string, number> = { high: 0, medium: 0, low: 0 };
    for (const r of records) if (r.fate === 'scored' && r.band) bands[r.band] = (bands[r.band] ?? 0) + 1;
    const latencies = records.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);

    const mails = await drainMailboxes(clients, pipeline);
    writeOutbox(outbox, mails);
    const queues: Record<string, number> = {};
    for (const q of pipeline.queues) queues[q.logicalId] = await queueDepth(clients, q.url);
    const items = await scanTable(clients, pipeline.scoreTable);
    if (options.dumpTable) writeFileSync(options.dumpTable, items.map((i) => JSON.stringify(i)).join('\n') + (items.length ? '\n' : ''));

    // Issue 17: outcomes for a share of the scored donors, then the monitoring report over both tables.
    let outcomes: OutcomeSummary | undefined;
    const share = options.outcomeShare ?? 0.25;
    if (traffic && share > 0 && pipeline.outcomes) {
      const of = pipeline.outcomes;
      const outcomeEvents = generateOutcomeEvents(
        items.map((i) => ({ donorId: String(i.donorId), updatedAt: String(i.updatedAt), revision: Number(i.revision) })),
        truthByDonor(options.seed, options.asOf, traffic.donors),
        { share, seed: options.seed, asOf: options.asOf, badFraction: options.badFraction, now: new Date(), identity: { ...identity, detailType: synthesized.config.outcomeDetailType } },
      );
      outcomes = await withCapturedLogs(logFile, async () =>
        runRequestOutcomes({
          pipeline,
          clients,
          handler: loadHandler(of.fn.handlerFile, of.fn.handlerExport, { ...of.fn.environment, ...endpoints.env }),
          events: outcomeEvents,
          concurrency: options.concurrency,
          scan: (table) => scanTable(clients, table),
          reference: await readReference(DEFAULT_MODEL_DIR),
          scoringCounts: { scored: count('scored') + count('stale'), rejected: count('rejected'), failed: count('dead-lettered') },
          asOf: options.asOf,
          workDir: options.workDir,
        }),
      );
      for (const q of pipeline.queues) queues[q.logicalId] = await queueDepth(clients, q.url);
    }

    const scored = count('scored');
    const stale = count('stale');
    const notMatched = count('unmatched');
    const rejected = count('rejected');
    const deadLettered = count('dead-lettered');
    const undelivered = records.filter((r) => r.fate === 'undelivered').map((r) => ({ eventId: r.eventId, reason: r.reason ?? 'unknown' }));
    const missing: string[] = [];
    const accountedFor = scored + stale + notMatched + rejected + deadLettered;
    // An undelivered event is in the summary but kept nowhere: the run fails and names it.
    for (const u of undelivered) missing.push(`event ${u.eventId} was not kept anywhere: ${u.reason}`);
    const withoutFate = events.length - accountedFor - undelivered.length;
    if (withoutFate !== 0) missing.push(`${withoutFate} events have no fate`);
    const depth = (prefix: string) => pipeline.queues.filter((q) => q.logicalId.startsWith(prefix)).reduce((s, q) => s + queues[q.logicalId], 0);
    if (depth('ScoringFunctionRejectedEvents') !== rejected) missing.push(`rejected-events queue holds ${depth('ScoringFunctionRejectedEvents')} messages for ${rejected} rejected events`);
    if (fn.onFailureQueue) {
      const keptThere = records.filter((r) => r.keptIn?.includes(fn.onFailureQueue!.logicalId)).length;
      if (queues[fn.onFailureQueue.logicalId] !== keptThere) missing.push(`failed-scoring queue holds ${queues[fn.onFailureQueue.logicalId]} messages for ${keptThere} events kept there`);
    }
    if (outcomes) {
      if (outcomes.recorded + outcomes.duplicate + outcomes.rejected + outcomes.deadLettered !== outcomes.sent) missing.push(`${outcomes.sent} outcome events but only ${outcomes.recorded + outcomes.duplicate + outcomes.rejected + outcomes.deadLettered} have a fate`);
      if (depth('OutcomeLogRejectedOutcomes') !== outcomes.rejected) missing.push(`rejected-outcomes queue holds ${depth('OutcomeLogRejectedOutcomes')} messages for ${outcomes.rejected} rejected outcome events`);
    }

    const summary: TwinSummary = {
      stack: synthesized.stackName,
      in: events.length,
      matched: events.length - notMatched,
      scored,
      ignored: { total: stale + notMatched, staleOrDuplicate: stale, notMatched },
      rejected: { total: rejected, byReason },
      retried: { invocations: records.reduce((s, r) => s + Math.max(0, r.invocations - 1), 0), eventsRecovered: records.filter((r) => r.invocations > 1 && r.fate !== 'dead-lettered').length },
      deadLettered,
      undelivered: { total: undelivered.length, events: undelivered },
      emailsSent: mails.reduce((s, m) => s + m.to.length, 0),
      handlerLatencyMs: { p50: round1(percentile(latencies, 50)), p99: round1(percentile(latencies, 99)), invocations: latencies.length },
      bands,
      queues: Object.fromEntries(pipeline.queues.map((q) => [q.name, queues[q.logicalId]])),
      tableItems: items.length,
      accounted: missing.length === 0,
      missing,
      outbox,
      logFile,
      seconds: round1((performance.now() - started) / 1000),
      deliverySeconds: Math.round(deliverySeconds * 1000) / 1000,
      ...(traffic ? { traffic } : {}),
      ...(outcomes ? { outcomes } : {}),
      readinessChanged: pipes.counts(),
    };
    return { summary, records, endpoints, clients, pipeline, synthesized };
  } catch (error) {
    await endpoints.stop();
    throw error;
  }
}
