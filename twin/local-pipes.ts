// The stack's EventBridge pipes on the local twin: each pipe whose source is a table stream gets
// that table's stream records (twin/table-stream.ts), keeps those its filter criteria match (the
// patterns from the template, evaluated by the twin's pattern matcher), renders its input template
// and writes the event it would put on the bus to <work dir>/events/<detail-type>.jsonl.
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { compileEventPattern, type EventMatcher } from './event-pattern';
import { LOCAL_ACCOUNT, LOCAL_REGION, type LocalEndpoints } from './local-endpoints';
import type { LocalPipeline } from './provision';
import { startTableStreams, streamedTables, type StreamRecord } from './table-stream';
import type { StackTemplate } from './template-resolver';

export interface LocalPipe {
  logicalId: string;
  /** Logical id of the table whose stream feeds it. */
  sourceTable: string;
  matches: EventMatcher;
  inputTemplate?: string;
  detailType: string;
  source: string;
}

/** The pipes of the template that read a table stream; other sources are refused, not ignored. */
export function pipesFromTemplate(template: StackTemplate): LocalPipe[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Pipes::Pipe')
    .map(([logicalId, r]) => {
      const p = r.Properties ?? {};
      const [sourceTable, attribute] = (p.Source?.['Fn::GetAtt'] ?? []) as string[];
      if (attribute !== 'StreamArn') throw new Error(`pipe ${logicalId} reads ${JSON.stringify(p.Source)}; the twin runs pipes from DynamoDB table streams only`);
      const filters = (p.SourceParameters?.FilterCriteria?.Filters ?? []) as { Pattern: string }[];
      const matchers = filters.map((f) => compileEventPattern(JSON.parse(f.Pattern)));
      const bus = p.TargetParameters?.EventBridgeEventBusParameters ?? {};
      return {
        logicalId,
        sourceTable,
        // No filter criteria: every record passes; several filters: any may match.
        matches: matchers.length ? (record: unknown) => matchers.some((m) => m(record)) : () => true,
        inputTemplate: p.TargetParameters?.InputTemplate,
        detailType: bus.DetailType ?? 'Event from aws:dynamodb',
        source: bus.Source ?? 'Pipe',
      };
    });
}

const valueAt = (record: unknown, path: string) =>
  path.split('.').reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), record);

/**
 * A pipe's input template: `"<$.a.b>"` inserts the value inside the quotes, an unquoted `<$.a.b>`
 * inserts it raw (a string without its quotes, so DynamoDB's number strings become numbers).
 */
export function renderInputTemplate(template: string, record: unknown): unknown {
  const text = template.replace(/("?)<\$\.([A-Za-z0-9_.-]+)>("?)/g, (_, open: string, path: string, close: string) => {
    const value = valueAt(record, path);
    if (value === undefined) throw new Error(`input template path $.${path} is not in the record`);
    if (open && close) return JSON.stringify(typeof value === 'string' ? value : JSON.stringify(value));
    return `${open}${typeof value === 'string' ? value : JSON.stringify(value)}${close}`;
  });
  return JSON.parse(text);
}

export interface ChangeEventCounts {
  events: number;
  byDetailType: Record<string, number>;
  /** Events whose detail has previousBand null (a first score) and the others (a band change). */
  firstScores: number;
  bandChanges: number;
  records: number;
  directory: string;
}

export interface LocalPipes {
  counts(): ChangeEventCounts;
}

/**
 * Puts the stream proxy in front of dynalite for every client created from `endpoints` from now
 * on (the functions, the API, drs redrive --twin) and runs the template's pipes on its records.
 */
export async function attachLocalPipes(options: { template: StackTemplate; pipeline: LocalPipeline; endpoints: LocalEndpoints; workDir: string }): Promise<LocalPipes> {
  const directory = join(options.workDir, 'events');
  rmSync(directory, { recursive: true, force: true });
  const pipes = pipesFromTemplate(options.template);
  const counts: ChangeEventCounts = { events: 0, byDetailType: {}, firstScores: 0, bandChanges: 0, records: 0, directory };
  const tables = streamedTables(options.template, options.pipeline.tables, LOCAL_ACCOUNT);
  if (!tables.length || !pipes.length) return { counts: () => counts };
  mkdirSync(directory, { recursive: true });
  const streams = await startTableStreams({
    dynamodbUrl: options.endpoints.dynamodb,
    tables,
    onRecord: (record: StreamRecord, table) => {
      counts.records++;
      for (const pipe of pipes.filter((p) => p.sourceTable === table.logicalId && p.matches(record))) {
        const detail = pipe.inputTemplate ? renderInputTemplate(pipe.inputTemplate, record) : record;
        const event = { version: '0', id: randomUUID(), 'detail-type': pipe.detailType, source: pipe.source, account: LOCAL_ACCOUNT, time: new Date().toISOString(), region: LOCAL_REGION, resources: [], detail };
        const line = `${JSON.stringify(event)}\n`;
        appendFileSync(join(directory, `${pipe.detailType}.jsonl`), line);
        counts.events++;
        counts.byDetailType[pipe.detailType] = (counts.byDetailType[pipe.detailType] ?? 0) + 1;
        if ((detail as { previousBand?: unknown }).previousBand === null) counts.firstScores++;
        else counts.bandChanges++;
      }
    },
  });
  const { endpoints } = options;
  endpoints.dynamodb = streams.url;
  endpoints.env.AWS_ENDPOINT_URL_DYNAMODB = streams.url;
  const stopEndpoints = endpoints.stop.bind(endpoints);
  endpoints.stop = async () => {
    await streams.close();
    await stopEndpoints();
  };
  return { counts: () => ({ ...counts, byDetailType: { ...counts.byDetailType } }) };
}
