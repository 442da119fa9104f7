// `drs trace DONOR_ID`: reads (never changes) the score table, the four queues that keep events
// and the scoring function's log, on AWS (--stage) or on the local twin (--twin), and prints the
// donor's timeline, a verdict and the commands that fix it.
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, GetQueryResultsCommand, StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { GetQueueUrlCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { readTwinSession } from '../twin/twin-session';
import { changeEventOf, formatTrace, keptRecordOf, outcomeRecordOf, traceDonor, type ChangeEventRecord, type DonorTrace, type OutcomeRecord, type KeptRecord, type QueueKind, type StoredScore, type TraceLogLine } from './donor-trace';
import { parseDuration } from './log-timestamp';
import { peekQueue } from './queue-peek';
import { fail } from './terminal';
import { TRACE_PERMISSIONS } from './permissions';

export interface TraceCommandOptions {
  stage?: string;
  twin?: string | boolean;
  since?: string;
  staleAfter?: number;
  json: boolean;
}

export { TRACE_PERMISSIONS };

/** Where AWS keeps DonorReadinessChanged events: nowhere the pipeline can read back. */
export const AWS_CHANGE_EVENTS_NOTE =
  'not stored by the pipeline in AWS: the pipes put them on the event bus (stack output EventBusName, source donor-readiness, detail-type DonorReadinessChanged) and only a subscriber\'s rule sees them; the bus archive (output ArchiveName) can replay them';

/** The most prediction-log items one trace examines (a scan: the table is keyed by request id). */
export const OUTCOME_SCAN_LIMIT = 200_000;
const TWIN_PERMISSIONS = ['nothing but the local twin kept up by npm start -- --serve (its endpoints check no IAM)'];

interface TraceTarget {
  describe: string;
  permissions: string[];
  tableName: string;
  documents: DynamoDBDocumentClient;
  sqs: SQSClient;
  queues: { kind: QueueKind; name: string; url: string }[];
  logs(eventIds: string[], sinceMs: number): Promise<TraceLogLine[]>;
  changeEvents(donorId: string, sinceMs: number): Promise<{ events: ChangeEventRecord[]; source: string }>;
  /** The prediction log's table name, or null when this target has none. */
  outcomeTable: string | null;
  redriveCommand(queueName: string): string;
  replayHint(from: string): string;
}

const QUEUE_IDS: [QueueKind, string][] = [
  ['rejected', 'RejectedEvents'],
  ['failed-scoring', 'FailedScoring'],
  ['dead-letter', 'DeadLetters'],
  ['undelivered', 'Undelivered'],
];

/** The scoring function's JSON log lines that name one of `eventIds` (a streamed file). */
export async function logLinesOf(file: string, eventIds: string[], sinceMs?: number): Promise<TraceLogLine[]> {
  if (!eventIds.length || !existsSync(file)) return [];
  const out: TraceLogLine[] = [];
  const from = sinceMs === undefined ? Number.NEGATIVE_INFINITY : Date.now() - sinceMs;
  for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    if (!eventIds.some((id) => line.includes(id))) continue;
    try {
      const r = JSON.parse(line) as Record<string, unknown>;
      if (typeof r.eventId !== 'string' || !eventIds.includes(r.eventId)) continue;
      const time = typeof r.timestamp === 'string' ? r.timestamp : null;
      if (time && Date.parse(time) < from) continue;
      const detail = [r.field && `${r.field} ${r.rule}`, r.error, r.revision !== undefined && `revision ${r.revision}`].filter(Boolean).join('; ');
      out.push({ time, eventId: r.eventId, level: String(r.level ?? ''), message: `${String(r.message ?? '')}${detail ? ` (${detail})` : ''}` });
    } catch {
      // Not a JSON line: the twin's log holds only the functions' JSON lines and SDK warnings.
    }
  }
  return out;
}

function twinTarget(workDir: string): TraceTarget {
  const session = readTwinSession(workDir);
  try {
    process.kill(session.pid, 0);
  } catch {
    throw new Error(`the local twin that wrote ${workDir}/twin.json (pid ${session.pid}) is not running: start it with npm start -- --serve`);
  }
  const clientConfig = {
    region: session.env.AWS_REGION,
    credentials: { accessKeyId: session.env.AWS_ACCESS_KEY_ID, secretAccessKey: session.env.AWS_SECRET_ACCESS_KEY },
  };
  const sqs = new SQSClient({ ...clientConfig, endpoint: session.env.AWS_ENDPOINT_URL_SQS });
  const tableName = session.scoringFunction.environment.SCORE_TABLE_NAME;
  return {
    describe: `the local twin (${workDir})`,
    permissions: TWIN_PERMISSIONS,
    tableName,
    documents: DynamoDBDocumentClient.from(new DynamoDBClient({ ...clientConfig, endpoint: session.env.AWS_ENDPOINT_URL_DYNAMODB })),
    sqs,
    queues: [],
    logs: (ids, sinceMs) => logLinesOf(join(workDir, 'score-donor.log'), ids, sinceMs),
    changeEvents: async (donorId, sinceMs) => {
      const file = join(workDir, 'events', 'DonorReadinessChanged.jsonl');
      return { events: await changeEventsOf(file, donorId, sinceMs), source: `read from ${file}` };
    },
    outcomeTable: null,
    redriveCommand: (q) => `npx drs redrive --twin ${workDir} --queue ${q}`,
    replayHint: () => 'on the twin, replay the registry\'s events with npm start -- --events-file FILE',
  };
}

/** The DonorReadinessChanged events (one JSON envelope a line, as the twin's pipes write them) about one donor. */
export async function changeEventsOf(file: string, donorId: string, sinceMs?: number): Promise<ChangeEventRecord[]> {
  if (!existsSync(file)) return [];
  const from = sinceMs === undefined ? Number.NEGATIVE_INFINITY : Date.now() - sinceMs;
  const out: ChangeEventRecord[] = [];
  for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    if (!line.includes(donorId)) continue;
    try {
      const record = changeEventOf(donorId, JSON.parse(line));
      if (record && !(record.time && Date.parse(record.time) < from)) out.push(record);
    } catch {
      // A line cut short by a twin that stopped mid-write: nothing to show.
    }
  }
  return out;
}

/**
 * The donor's request outcomes. The prediction log is keyed by request id and has no index on
 * donorId (outcomes are tens of thousands a year), so this is a filtered scan, paged, that stops
 * after `limit` items examined and says so.
 */
export async function outcomesOf(documents: DynamoDBDocumentClient, tableName: string, donorId: string, limit = OUTCOME_SCAN_LIMIT): Promise<{ outcomes: OutcomeRecord[]; source: string }> {
  const outcomes: OutcomeRecord[] = [];
  let examined = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'donorId = :d',
        ExpressionAttributeValues: { ':d': donorId },
        Limit: Math.min(1000, limit - examined),
        ExclusiveStartKey: start,
      }),
    );
    examined += page.ScannedCount ?? 0;
    for (const item of page.Items ?? []) {
      const record = outcomeRecordOf(donorId, item);
      if (record) outcomes.push(record);
    }
    start = page.LastEvaluatedKey;
  } while (start && examined < limit);
  outcomes.sort((a, b) => (a.requestedAt ?? '').localeCompare(b.requestedAt ?? ''));
  const cut = start ? `; stopped after ${examined} items, the rest of the table was not read` : '';
  return { outcomes, source: `filtered scan of the outcome table ${tableName} (${examined} items examined${cut})` };
}

async function twinOutcomeTable(documents: DynamoDBDocumentClient): Promise<string | null> {
  const names: string[] = [];
  let start: string | undefined;
  do {
    const page = await documents.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    names.push(...(page.TableNames ?? []));
    start = page.LastEvaluatedTableName;
  } while (start);
  return names.find((n) => /-OutcomeLogTable[A-Z0-9]*$/.test(n)) ?? null;
}

async function twinQueues(target: TraceTarget): Promise<TraceTarget['queues']> {
  const { QueueUrls } = await target.sqs.send(new ListQueuesCommand({}));
  const out: TraceTarget['queues'] = [];
  for (const url of QueueUrls ?? []) {
    const name = url.split('/').pop()!;
    const kind = QUEUE_IDS.find(([, id]) => name.includes(id))?.[0];
    if (kind) out.push({ kind, name, url });
  }
  return out;
}

async function awsTarget(stage: string): Promise<TraceTarget> {
  const stackName = `DonorReadiness-${stage}`;
  let outputs: Record<string, string>;
  try {
    const { Stacks } = await new CloudFormationClient({}).send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
  } catch (error) {
    throw new Error(`cannot read stack ${stackName} (${(error as Error).name}: ${(error as Error).message}): check the stage, region and credentials`);
  }
  const need = ['ScoreTableName', 'RejectedQueueName', 'FailedQueueName', 'DeadLetterQueueName', 'UndeliveredQueueName', 'ScoringLogGroup', 'ScoringFunctionName'];
  const missing = need.filter((k) => !outputs[k]);
  if (missing.length) throw new Error(`stack ${stackName} has no output ${missing.join(', ')}: deploy this version of the stack`);
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const logsClient = new CloudWatchLogsClient({});
  const names: [QueueKind, string][] = [
    ['rejected', outputs.RejectedQueueName],
    ['failed-scoring', outputs.FailedQueueName],
    ['dead-letter', outputs.DeadLetterQueueName],
    ['undelivered', outputs.UndeliveredQueueName],
  ];
  const queues = await Promise.all(names.map(async ([kind, name]) => ({ kind, name, url: (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl! })));
  return {
    describe: `stack ${stackName}`,
    permissions: TRACE_PERMISSIONS,
    tableName: outputs.ScoreTableName,
    documents: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    sqs,
    queues,
    logs: (ids, sinceMs) => insightsLogLines(logsClient, outputs.ScoringLogGroup, ids, sinceMs),
    changeEvents: async () => ({ events: [], source: AWS_CHANGE_EVENTS_NOTE }),
    outcomeTable: outputs.OutcomeTableName ?? null,
    redriveCommand: (q) => `npx drs redrive --queue ${q} --function ${outputs.ScoringFunctionName}`,
    replayHint: (from) =>
      `aws events start-replay --replay-name trace-$(date +%s) --event-source-arn ${outputs.EventBusArn ?? '<bus ARN>'} --event-start-time ${from} --event-end-time $(date -u +%FT%TZ) --destination '{"Arn":"${outputs.EventBusArn ?? '<bus ARN>'}"}'`,
  };
}

/** Logs Insights: the log lines naming these event ids (ids are validated: letters, digits and dashes). */
async function insightsLogLines(client: CloudWatchLogsClient, logGroup: string, eventIds: string[], sinceMs: number): Promise<TraceLogLine[]> {
  const ids = eventIds.filter((id) => /^[A-Za-z0-9._:-]{1,128}$/.test(id));
  if (!ids.length) return [];
  const end = Math.floor(Date.now() / 1000);
  const { queryId } = await client.send(
    new StartQueryCommand({
      logGroupName: logGroup,
      startTime: end - Math.floor(sinceMs / 1000),
      endTime: end,
      queryString: `fields @timestamp, level, message, eventId, field, rule, error | filter eventId in [${ids.map((id) => `"${id}"`).join(', ')}] | sort @timestamp asc | limit 1000`,
    }),
  );
  for (let wait = 500; ; wait = Math.min(wait * 2, 5000)) {
    await new Promise((r) => setTimeout(r, wait));
    const result = await client.send(new GetQueryResultsCommand({ queryId }));
    if (result.status === 'Complete') {
      return (result.results ?? []).map((row) => {
        const f = Object.fromEntries(row.map((c) => [c.field!, c.value ?? '']));
        const detail = [f.field && `${f.field} ${f.rule}`, f.error].filter(Boolean).join('; ');
        return { time: f['@timestamp'] ? new Date(`${f['@timestamp'].replace(' ', 'T')}Z`).toISOString() : null, eventId: f.eventId, level: f.level ?? '', message: `${f.message ?? ''}${detail ? ` (${detail})` : ''}` };
      });
    }
    if (result.status !== 'Running' && result.status !== 'Scheduled') throw new Error(`Logs Insights query ended ${result.status}`);
  }
}

const DONOR_ID = /^[A-Za-z0-9-]{4,40}$/;

export async function runTrace(donorId: string, options: TraceCommandOptions): Promise<DonorTrace> {
  if (!DONOR_ID.test(donorId)) fail(`"${donorId}" is not a donor id: ids match ^[A-Za-z0-9-]{4,40}$`);
  if (Boolean(options.stage) === Boolean(options.twin)) fail('say where to look: --stage S (AWS, stack DonorReadiness-S) or --twin [work dir] (the local twin of npm start -- --serve)');
  const sinceMs = options.since === undefined ? 14 * 86_400_000 : (parseDuration(options.since) ?? fail(`--since "${options.since}" is not a duration: give e.g. 24h, 7d`));
  let target: TraceTarget;
  try {
    if (options.stage) target = await awsTarget(options.stage);
    else {
      target = twinTarget(typeof options.twin === 'string' ? options.twin : '.drs');
      target.queues = await twinQueues(target);
      target.outcomeTable = await twinOutcomeTable(target.documents);
    }
  } catch (error) {
    fail((error as Error).message, 1);
  }
  const { Item } = await target.documents.send(new GetCommand({ TableName: target.tableName, Key: { donorId } }));
  const stored: StoredScore | null = Item
    ? {
        score: Item.score,
        band: Item.band,
        revision: Item.revision,
        updatedAt: Item.updatedAt,
        scoredAt: Item.scoredAt,
        scoringDate: Item.scoringDate,
        modelVersion: Item.modelVersion,
        sourceEventId: Item.sourceEventId ?? null,
      }
    : null;
  const kept: KeptRecord[] = [];
  for (const queue of target.queues) {
    const { messages } = await peekQueue(target.sqs, queue.url);
    for (const m of messages) {
      const record = keptRecordOf(donorId, queue.kind, queue.name, m);
      if (record) kept.push(record);
    }
  }
  const eventIds = [...new Set([stored?.sourceEventId, ...kept.map((k) => k.eventId)].filter((id): id is string => typeof id === 'string'))];
  const logs = await target.logs(eventIds, sinceMs);
  const changes = await target.changeEvents(donorId, sinceMs);
  const outcomes = target.outcomeTable ? await outcomesOf(target.documents, target.outcomeTable, donorId) : { outcomes: [], source: 'this pipeline has no outcome table' };
  const trace = traceDonor(
    donorId,
    stored,
    kept,
    logs,
    {
      now: new Date(),
      staleAfterDays: options.staleAfter ?? 30,
      redriveCommand: (q) => target.redriveCommand(q),
      replayHint: (from) => target.replayHint(from),
    },
    { changeEvents: changes.events, changeEventsSource: changes.source, outcomes: outcomes.outcomes, outcomesSource: outcomes.source },
  );
  process.stdout.write(`${options.json ? JSON.stringify({ ...trace, source: target.describe, permissions: target.permissions }) : formatTrace(trace, target.permissions)}\n`);
  return trace;
}
