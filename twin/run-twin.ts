// `npm start`: the deployed architecture, end to end, on this machine. Synthesizes the app, starts
// the local endpoints, provisions the template on them, delivers events through the rule's pattern
// and the real bundled handler with Lambda's async semantics, and accounts for every event.
import { appendFileSync, closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { compileEventPattern } from './event-pattern';
import { eventsFromFile, trafficStream, type BusEvent } from './donor-update-stream';
import { deliverEach, type DeliveryRecord } from './local-delivery';
import { withCapturedLogs } from './captured-logs';
import { DeliveryTally } from './delivery-tally';
import { loadHandler } from './local-function';
import { startSchedule } from './local-schedule';
import { startLocalEndpoints, LOCAL_ACCOUNT, LOCAL_REGION, type LocalEndpoints } from './local-endpoints';
import { localClients, provisionFromTemplate, type AwsClients, type LocalPipeline } from './provision';
import { synthesizePipeline, type SynthesizedPipeline } from './synthesize';
import { drainMailboxes, writeOutbox } from './outbox';
import { generateOutcomeEvents, runRequestOutcomes, truthByDonor, type OutcomeSummary } from './request-outcomes';
import { DEFAULT_MODEL_DIR, readReference } from '../model/model-files';
import { attachLocalPipes, type ChangeEventCounts } from './local-pipes';
import { readThreadTime, threadShares, type ThreadShares, type ThreadTime } from './thread-time';
import { startIdleOverlap, type IdleOverlap, type IdleOverlapSampler } from './idle-overlap';
import { LOCAL_TWIN_WORK_DIR } from '../lambdas/alert-digest/config';

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
  /** Keep every delivery record in `TwinRun.records` (tests); a run otherwise only counts them. */
  keepRecords?: boolean;
  /** Measure where both processes' main threads spend delivery (scheduler times, idle overlap): the bench asks for it. */
  measureThreads?: boolean;
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
  /** Of every invocation, or of a uniform sample of 100,000 of them in a longer run (`exact` false). */
  handlerLatencyMs: { p50: number; p99: number; invocations: number; exact?: boolean };
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
  /** Peak resident memory so far of this process (the functions, the twin) and of the local endpoints' process (the tables, the queues). */
  memory?: { peakRssMiB: number; endpointsPeakRssMiB?: number };
  /** CPU per delivered event during delivery: this process (the handler, the twin's delivery and stream emulation) and the local endpoints' process. */
  deliveryCpuMsPerEvent?: { twinProcess: number; endpoints?: number };
  /** With `measureThreads` (Linux): shares of delivery's wall clock of each main thread, and how often both were idle at once. */
  deliveryThreads?: { twinProcess: ThreadShares; endpoints?: ThreadShares; bothIdle?: number };
}

export interface TwinRun {
  summary: TwinSummary;
  /** Every delivery record, in input order, when asked for with `keepRecords`; otherwise empty. */
  records: DeliveryRecord[];
  endpoints: LocalEndpoints;
  clients: AwsClients;
  pipeline: LocalPipeline;
  synthesized: SynthesizedPipeline;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

async function queueDepth(clients: AwsClients, url: string): Promise<number> {
  const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
}

/** The table's items a page at a time (a page is at most 1 MB), in the order a scan gives them. */
export async function* scanPages(clients: AwsClients, tableName: string): AsyncGenerator<Record<string, unknown>[]> {
  const documents = DynamoDBDocumentClient.from(clients.dynamodb);
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    yield page.Items ?? [];
    start = page.LastEvaluatedKey;
  } while (start);
}

/** Every item of a table, sorted by donorId (small tables: tests, the registry run's checks). */
export async function scanTable(clients: AwsClients, tableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of scanPages(clients, tableName)) items.push(...page);
  return items.sort((a, b) => String(a.donorId).localeCompare(String(b.donorId)));
}

/**
 * Reads the score table once, a page at a time: counts its items, writes them to `dumpTable` as
 * JSON Lines (in scan order) and hands each page to `onPage`.
 */
export async function readScoreTable(clients: AwsClients, tableName: string, dumpTable: string | undefined, onPage: (items: Record<string, unknown>[]) => void): Promise<number> {
  const fd = dumpTable ? openSync(dumpTable, 'w') : undefined;
  let count = 0;
  try {
    for await (const page of scanPages(clients, tableName)) {
      count += page.length;
      if (fd !== undefined && page.length) writeSync(fd, page.map((i) => `${JSON.stringify(i)}\n`).join(''));
      onPage(page);
    }
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return count;
}

function memoryNow(endpoints: LocalEndpoints): TwinSummary['memory'] {
  const endpointsPeak = endpoints.peakRssBytes();
  return {
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    ...(endpointsPeak !== undefined ? { endpointsPeakRssMiB: Math.round(endpointsPeak / 2 ** 20) } : {}),
  };
}

/** Runs the twin; the caller stops `endpoints` (or keeps them for --serve). */
export async function runTwin(options: TwinOptions): Promise<TwinRun> {
  const started = performance.now();
  mkdirSync(options.workDir, { recursive: true });
  const logFile = join(options.workDir, 'score-donor.log');
  const outbox = join(options.workDir, 'outbox');
  rmSync(logFile, { force: true });
  rmSync(outbox, { recursive: true, force: true });

  // The file is read as it is delivered: a missing one is still refused before anything starts.
  if (options.eventsFile) closeSync(openSync(options.eventsFile, 'r'));
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
    // Events are generated (or read from the file) as they are delivered, and each delivery is
    // counted, not kept: a run's memory does not grow with its length (issue 15).
    let shape: Record<string, number> | undefined;
    let events: Iterable<BusEvent>;
    if (options.eventsFile) {
      events = eventsFromFile(options.eventsFile, identity, options.seed);
    } else {
      const generated = trafficStream({ events: options.events, seed: options.seed, asOf: options.asOf, badFraction: options.badFraction, identity });
      events = generated.events;
      shape = generated.shape;
    }
    const fn = pipeline.scoringFunction;
    let done = 0;
    let deliveryStarted = 0;
    let cpuAtStart: { twin: NodeJS.CpuUsage; endpoints: number | undefined } | undefined;
    let threadsAtStart: { twin: ThreadTime | undefined; endpoints: ThreadTime | undefined } | undefined;
    let overlap: IdleOverlapSampler | undefined;
    let idleAtEnd: Promise<IdleOverlap | undefined> | undefined;
    const tally = new DeliveryTally();
    const records: DeliveryRecord[] = [];
    await withCapturedLogs(logFile, async () => {
      // Loaded inside the capture: its cold start logs (and the SDK's warnings) belong to its log.
      // Both functions run in this one process and the SDK reads endpoint variables lazily, so
      // every override applies to both (tests override different services for each).
      const overrides = {
        ...(options.functionEndpoints ? await options.functionEndpoints(endpoints) : {}),
        ...(options.digestEndpoints ? await options.digestEndpoints(endpoints) : {}),
      };
      const digest = pipeline.alertDigest;
      const digestHandler = digest ? loadHandler(digest.handlerFile, digest.handlerExport, { ...digest.environment, ...endpoints.env, ...overrides, [LOCAL_TWIN_WORK_DIR]: options.workDir }) : undefined;
      const handler = loadHandler(fn.handlerFile, fn.handlerExport, { ...fn.environment, ...endpoints.env, ...overrides });
      const schedule = digestHandler
        ? startSchedule(digestHandler, options.digestEveryMs ?? 60_000, (error) =>
            appendFileSync(logFile, `${JSON.stringify({ level: 'ERROR', service: 'twin', message: 'alert digest run failed', error: `${error.name}: ${error.message}` })}\n`),
          )
        : undefined;
      deliveryStarted = performance.now();
      cpuAtStart = { twin: process.cpuUsage(), endpoints: endpoints.cpuSeconds() };
      if (options.measureThreads) {
        threadsAtStart = { twin: readThreadTime(process.pid), endpoints: readThreadTime(endpoints.pid) };
        overlap = startIdleOverlap(endpoints.pid === undefined ? [process.pid] : [process.pid, endpoints.pid]);
      }
      try {
        await deliverEach(
          events,
          {
            matches,
            handler,
            fn,
            sqs: clients.sqs,
            functionArn: pipeline.identities.get(fn.logicalId)!.attributes.Arn,
            concurrency: options.concurrency,
            onDelivered: () => options.onProgress?.(++done, options.eventsFile ? 0 : options.events),
          },
          (record, event, index) => {
            tally.add(record, event);
            if (options.keepRecords) records[index] = record;
          },
        );
      } finally {
        // Stopped here so that a failed delivery leaves no sampler behind.
        idleAtEnd = overlap?.stop();
        await schedule?.stop();
      }
    });
    const traffic = shape ? { ...shape } : undefined;

    const deliverySeconds = (performance.now() - deliveryStarted) / 1000;
    const threadsAtEnd = threadsAtStart && { twin: readThreadTime(process.pid), endpoints: readThreadTime(endpoints.pid) };
    const idle = await idleAtEnd;
    const twinThread = threadsAtStart?.twin && threadsAtEnd?.twin && threadShares(threadsAtStart.twin, threadsAtEnd.twin, deliverySeconds);
    const endpointsThread = threadsAtStart?.endpoints && threadsAtEnd?.endpoints && threadShares(threadsAtStart.endpoints, threadsAtEnd.endpoints, deliverySeconds);
    const deliveryThreads = twinThread
      ? { twinProcess: twinThread, ...(endpointsThread ? { endpoints: endpointsThread } : {}), ...(idle && idle.idle.length === 2 ? { bothIdle: idle.allIdle } : {}) }
      : undefined;
    const twinCpu = process.cpuUsage(cpuAtStart!.twin);
    const endpointsCpu = endpoints.cpuSeconds();
    const perEvent = (ms: number) => Math.round((ms / Math.max(1, tally.in)) * 100) / 100;
    const deliveryCpuMsPerEvent = {
      twinProcess: perEvent((twinCpu.user + twinCpu.system) / 1000),
      ...(endpointsCpu !== undefined && cpuAtStart!.endpoints !== undefined ? { endpoints: perEvent((endpointsCpu - cpuAtStart!.endpoints) * 1000) } : {}),
    };
    const count = (fate: DeliveryRecord['fate']) => tally.fates[fate];
    const [p50, p99] = tally.latencies.percentiles([50, 99]);

    const mails = await drainMailboxes(clients, pipeline);
    writeOutbox(outbox, mails);
    const queues: Record<string, number> = {};
    for (const q of pipeline.queues) queues[q.logicalId] = await queueDepth(clients, q.url);
    // Issue 17: outcomes for a share of the scored donors, then the monitoring report over both tables.
    const share = options.outcomeShare ?? 0.25;
    const withOutcomes = Boolean(traffic && share > 0 && pipeline.outcomes);
    const truths = withOutcomes ? truthByDonor(options.seed, options.asOf, traffic!.donors) : undefined;
    const scoredDonors: { donorId: string; updatedAt: string; revision: number }[] = [];
    const tableItems = await readScoreTable(clients, pipeline.scoreTable, options.dumpTable, (items) => {
      if (!truths) return;
      // Only donors still at revision 1 can get an outcome (see generateOutcomeEvents): those are kept.
      for (const i of items) if (Number(i.revision) === 1 && truths.has(String(i.donorId))) scoredDonors.push({ donorId: String(i.donorId), updatedAt: String(i.updatedAt), revision: 1 });
    });

    let outcomes: OutcomeSummary | undefined;
    if (withOutcomes) {
      const of = pipeline.outcomes!;
      const outcomeEvents = generateOutcomeEvents(scoredDonors, truths!, { share, seed: options.seed, asOf: options.asOf, badFraction: options.badFraction, now: new Date(), identity: { ...identity, detailType: synthesized.config.outcomeDetailType } });
      scoredDonors.length = 0;
      outcomes = await withCapturedLogs(logFile, async () =>
        runRequestOutcomes({
          pipeline,
          clients,
          handler: loadHandler(of.fn.handlerFile, of.fn.handlerExport, { ...of.fn.environment, ...endpoints.env }),
          events: outcomeEvents,
          concurrency: options.concurrency,
          scan: (table) => scanPages(clients, table),
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
    const undeliveredTotal = count('undelivered');
    const missing: string[] = [];
    const accountedFor = scored + stale + notMatched + rejected + deadLettered;
    // An undelivered event is in the summary but kept nowhere: the run fails and names it.
    for (const u of tally.undelivered) missing.push(`event ${u.eventId} was not kept anywhere: ${u.reason}`);
    if (undeliveredTotal > tally.undelivered.length) missing.push(`${undeliveredTotal - tally.undelivered.length} more events were not kept anywhere (the first ${tally.undelivered.length} are named above)`);
    const withoutFate = tally.in - accountedFor - undeliveredTotal;
    if (withoutFate !== 0) missing.push(`${withoutFate} events have no fate`);
    const depth = (prefix: string) => pipeline.queues.filter((q) => q.logicalId.startsWith(prefix)).reduce((s, q) => s + queues[q.logicalId], 0);
    if (depth('ScoringFunctionRejectedEvents') !== rejected) missing.push(`rejected-events queue holds ${depth('ScoringFunctionRejectedEvents')} messages for ${rejected} rejected events`);
    if (fn.onFailureQueue) {
      const keptThere = tally.keptIn[fn.onFailureQueue.logicalId] ?? 0;
      if (queues[fn.onFailureQueue.logicalId] !== keptThere) missing.push(`failed-scoring queue holds ${queues[fn.onFailureQueue.logicalId]} messages for ${keptThere} events kept there`);
    }
    if (outcomes) {
      if (outcomes.recorded + outcomes.duplicate + outcomes.rejected + outcomes.deadLettered !== outcomes.sent) missing.push(`${outcomes.sent} outcome events but only ${outcomes.recorded + outcomes.duplicate + outcomes.rejected + outcomes.deadLettered} have a fate`);
      if (depth('OutcomeLogRejectedOutcomes') !== outcomes.rejected) missing.push(`rejected-outcomes queue holds ${depth('OutcomeLogRejectedOutcomes')} messages for ${outcomes.rejected} rejected outcome events`);
    }

    const summary: TwinSummary = {
      stack: synthesized.stackName,
      in: tally.in,
      matched: tally.in - notMatched,
      scored,
      ignored: { total: stale + notMatched, staleOrDuplicate: stale, notMatched },
      rejected: { total: rejected, byReason: tally.byReason },
      retried: { invocations: tally.retriedInvocations, eventsRecovered: tally.eventsRecovered },
      deadLettered,
      undelivered: { total: undeliveredTotal, events: tally.undelivered },
      emailsSent: mails.reduce((s, m) => s + m.to.length, 0),
      handlerLatencyMs: { p50: round1(p50), p99: round1(p99), invocations: tally.latencies.count, exact: tally.latencies.exact },
      bands: tally.bands,
      queues: Object.fromEntries(pipeline.queues.map((q) => [q.name, queues[q.logicalId]])),
      tableItems,
      accounted: missing.length === 0,
      missing,
      outbox,
      logFile,
      seconds: round1((performance.now() - started) / 1000),
      deliverySeconds: Math.round(deliverySeconds * 1000) / 1000,
      ...(traffic ? { traffic } : {}),
      ...(outcomes ? { outcomes } : {}),
      readinessChanged: pipes.counts(),
      memory: memoryNow(endpoints),
      deliveryCpuMsPerEvent,
      ...(deliveryThreads ? { deliveryThreads } : {}),
    };
    return { summary, records, endpoints, clients, pipeline, synthesized };
  } catch (error) {
    await endpoints.stop();
    throw error;
  }
}
