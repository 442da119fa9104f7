// `npm start -- --backfill FILE` and `npm start -- --rescore`: the stack's registry-run state machine,
// as synthesized, run on this machine by an ASL interpreter (aws-local-stepfunctions) against the
// local endpoints, with the bundled batch function. What the interpreter lacks is added, no more:
// the Distributed Map's reader, batcher and result writer (distributed-map.ts) and the table export
// (table-export.ts). Wait states do not wait: the local export is complete when it returns.
import { createReadStream, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { listKeys as listBucketKeys } from '../lambdas/rescore/s3-ports';
import { Upload } from '@aws-sdk/lib-storage';
import { StateMachine, type StateMachineDefinition } from './asl-interpreter';
import { evaluateTemplate, runDistributedMap } from './distributed-map';
import { loadHandler, type Handler } from './local-function';
import { startLocalEndpoints, LOCAL_ACCOUNT, LOCAL_REGION, type LocalEndpoints } from './local-endpoints';
import { localClients, provisionFromTemplate, type AwsClients, type LocalPipeline } from './provision';
import { withCapturedLogs } from './captured-logs';
import { readScoreTable } from './run-twin';
import { synthesizeInChildProcess, type SynthesizedPipeline } from './synthesize';
import { exportTableToS3 } from './table-export';
import { resolveString, resolveValue, type ResolveContext, type StackTemplate } from './template-resolver';

type Json = any;

export interface RegistryRunOptions {
  mode: 'backfill' | 'refresh';
  /** Backfill: the registry export (JSON Lines of details, whole events or `drs data` rows; .gz or not), or a folder of such files (an export split into files). */
  file?: string;
  /** The scoring date; default: the UTC date the run starts (as in AWS). */
  asOf?: string;
  /** Refresh: largest score change that counts as unchanged (default 0: write every change). */
  tolerance?: number;
  dataDir?: string;
  workDir: string;
  alertEmails: string;
  dumpTable?: string;
  synthesized?: SynthesizedPipeline;
  /** Batches in flight locally (the stack's MaxConcurrency caps it too). */
  concurrency?: number;
  /** Milliseconds between retries of a failed batch (the definition's backoff in AWS). */
  retryIntervalMs?: number;
  /** Endpoint overrides for the batch function only (a fault-injecting proxy in tests). */
  functionEndpoints?: (endpoints: LocalEndpoints) => Promise<Record<string, string>>;
  onProgress?: (done: number) => void;
  /** Loads the function as a fresh container (tests: inside jest.isolateModules). */
  loadFunction?: (file: string, name: string, env: Record<string, string>) => Handler;
}

/** Each run is a new container: the bundle is loaded anew, with this run's endpoints. */
function freshContainer(file: string, name: string, env: Record<string, string>): Handler {
  delete require.cache[file];
  return loadHandler(file, name, env);
}

export interface RegistryRunSummary {
  stack: string;
  mode: 'backfill' | 'refresh';
  status: 'SUCCEEDED' | 'FAILED';
  error?: string;
  runId: string;
  scoringDate: string | null;
  rows: number;
  scored: number;
  unchanged: number;
  stale: number;
  rejected: number;
  failed: number;
  failedBatches: number;
  rejectedByRule: Record<string, number>;
  tableItems: number;
  /** Local copies of what the run kept in S3 (rejected rows, failed batches, the summary). */
  kept: { rejected: string | null; failures: string | null; summary: string | null };
  logFile: string;
  seconds: number;
}

export interface RegistryRun {
  summary: RegistryRunSummary;
  endpoints: LocalEndpoints;
  clients: AwsClients;
  pipeline: LocalPipeline;
}

const LAMBDA_ARN = /^arn:aws:lambda:[^:]+:[^:]+:function:[^:]+$/;

function findStateMachine(template: StackTemplate): [string, Json] {
  const found = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (found.length !== 1) throw new Error(`expected one state machine in the template, found ${found.length}`);
  return found[0];
}

/** The registry-run definition exactly as synthesized, with the template's references resolved to the local resources. */
export function localDefinition(template: StackTemplate, ctx: ResolveContext): Json {
  const [, resource] = findStateMachine(template);
  return JSON.parse(resolveString(resource.Properties!.DefinitionString, ctx));
}

function functionByArn(template: StackTemplate, ctx: ResolveContext, assemblyDir: string, arn: string): { handler: Handler; logicalId: string; env: Record<string, string> } & { file: string; name: string } {
  const entry = Object.entries(template.Resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && ctx.resources.get(id)?.attributes.Arn === arn);
  if (!entry) throw new Error(`the state machine invokes ${arn}, which is not a function of this stack`);
  const [logicalId, fn] = entry;
  const p = fn.Properties ?? {};
  const [file, name] = String(p.Handler).split('.');
  const env = Object.fromEntries(Object.entries((p.Environment?.Variables ?? {}) as Record<string, unknown>).map(([k, v]) => [k, resolveString(v, ctx)]));
  const codeKey = resolveString(p.Code?.S3Key, ctx);
  return { logicalId, env, file: join(assemblyDir, `asset.${codeKey.replace(/\.zip$/, '')}`, `${file}.js`), name, handler: undefined as unknown as Handler };
}

function listKeys(clients: AwsClients, bucket: string, prefix: string): Promise<string[]> {
  return listBucketKeys(clients.s3, bucket, prefix);
}

async function getText(clients: AwsClients, bucket: string, key: string): Promise<string> {
  const object = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return object.Body!.transformToString('utf8');
}

/** Runs one registry run; the caller stops `endpoints`. */
export async function runRegistryRun(options: RegistryRunOptions): Promise<RegistryRun> {
  const started = performance.now();
  mkdirSync(options.workDir, { recursive: true });
  const logFile = join(options.workDir, 'registry-run.log');
  rmSync(logFile, { force: true });
  // Synthesized in a child process: the CDK app's memory is not this long run's (twin/synthesize.ts).
  const synthesized = options.synthesized ?? synthesizeInChildProcess({ stage: 'local', alertEmails: options.alertEmails }, join(options.workDir, 'cdk.out'));
  const endpoints = await startLocalEndpoints({ dataDir: options.dataDir });
  try {
    const clients = localClients(endpoints);
    const pipeline = await provisionFromTemplate({ ...synthesized, clients });
    const ctx: ResolveContext = { region: LOCAL_REGION, account: LOCAL_ACCOUNT, stackName: synthesized.stackName, resources: pipeline.identities };
    const definition = localDefinition(synthesized.template, ctx);

    // The Task states that invoke a function run the bundled asset with its template environment.
    const functionStates = new Map<string, string>();
    const visit = (states: Record<string, Json>) => {
      for (const [name, state] of Object.entries(states)) {
        if (state.Type === 'Task' && LAMBDA_ARN.test(state.Resource)) functionStates.set(name, state.Resource);
        if (state.ItemProcessor) visit(state.ItemProcessor.States);
      }
    };
    visit(definition.States);
    const arns = [...new Set(functionStates.values())];
    if (arns.length !== 1) throw new Error(`expected the registry run to invoke one function, found ${arns.length}`);
    const batchFn = functionByArn(synthesized.template, ctx, synthesized.assemblyDir, arns[0]);
    const runBucket = batchFn.env.RUN_BUCKET;
    if (!runBucket) throw new Error('the batch function has no RUN_BUCKET');

    const request: Json = { mode: options.mode, trigger: 'local' };
    if (options.asOf) request.scoringDate = options.asOf;
    if (options.tolerance !== undefined) request.tolerance = options.tolerance;
    if (options.mode === 'backfill') {
      if (!options.file) throw new Error('a backfill needs the export file (--backfill FILE)');
      // Multipart, streamed: an export of any size (one PutObject body is capped, 11 MiB locally, 5 GB in S3).
      const upload = (file: string, key: string) => new Upload({ client: clients.s3, params: { Bucket: runBucket, Key: key, Body: createReadStream(file) }, partSize: 8 * 2 ** 20, queueSize: 2 }).done();
      const name = `imports/${Date.now()}-${basename(options.file)}`;
      if (statSync(options.file).isDirectory()) {
        // An export split into files (each <= 10 GB in AWS): every file under one prefix, read by the map's listing reader.
        const files = readdirSync(options.file).filter((f) => statSync(join(options.file!, f)).isFile()).sort();
        if (!files.length) throw new Error(`${options.file} holds no export files`);
        for (const f of files) await upload(join(options.file, f), `${name}/${f}`);
        request.source = { prefix: `${name}/` };
      } else {
        await upload(options.file, name);
        request.source = { key: name };
      }
    }
    const runId = `local-${options.mode}-${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${process.pid}`;
    const executionArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${synthesized.stackName}-RegistryRun:${runId}`;

    let rowsDone = 0;
    const outcome = await withCapturedLogs(logFile, async () => {
      const overrides = options.functionEndpoints ? await options.functionEndpoints(endpoints) : {};
      const handler = (options.loadFunction ?? freshContainer)(batchFn.file, batchFn.name, { ...batchFn.env, ...endpoints.env, ...overrides });
      // A function returns through JSON, as Lambda's invoke does.
      const invoke = async (input: Json) => JSON.parse(JSON.stringify((await handler(input)) ?? null));
      const taskHandlers: Record<string, (input: Json) => Promise<Json>> = {};
      for (const name of functionStates.keys()) taskHandlers[name] = invoke;
      const retryIntervalOverrides: Record<string, number> = {};
      for (const name of functionStates.keys()) retryIntervalOverrides[name] = options.retryIntervalMs ?? 200;
      const waitTimeOverrides: Record<string, number> = {};

      // Top-level states the interpreter cannot run alone become local Task handlers.
      const states: Record<string, Json> = {};
      for (const [name, state] of Object.entries(definition.States) as [string, Json][]) {
        if (state.Type === 'Wait') waitTimeOverrides[name] = 0;
        if (state.Type === 'Map' && state.ItemReader) {
          const { ItemReader, ItemBatcher, ItemProcessor, ResultWriter, MaxConcurrency, ToleratedFailurePercentage, ToleratedFailureCount, ItemSelector, Type, ...rest } = state;
          void ItemReader, ItemBatcher, ItemProcessor, ResultWriter, MaxConcurrency, ToleratedFailurePercentage, ToleratedFailureCount, ItemSelector, Type;
          // A map run has no task timeout of its own (the execution's bounds it).
          states[name] = { ...rest, Type: 'Task', Resource: 'arn:aws:states:::local:distributedMap', TimeoutSeconds: 2_000_000 };
          taskHandlers[name] = (input) =>
            runDistributedMap(name, state, input, {
              s3: clients.s3,
              taskHandlers,
              retryIntervalOverrides,
              localConcurrency: options.concurrency ?? 4,
              executionArn,
              onBatchDone: (n) => options.onProgress?.((rowsDone += n)),
            });
          continue;
        }
        if (state.Type === 'Task' && String(state.Resource).startsWith('arn:aws:states:::aws-sdk:dynamodb:')) {
          const action = String(state.Resource).split(':').pop();
          if (action === 'exportTableToPointInTime') {
            taskHandlers[name] = async (params) => {
              const { exportArn } = await exportTableToS3(clients.dynamodb, clients.s3, params);
              return { ExportDescription: { ExportArn: exportArn, ExportStatus: 'IN_PROGRESS' } };
            };
          } else if (action === 'describeExport') {
            taskHandlers[name] = async (params) => ({ ExportDescription: { ExportArn: params.ExportArn, ExportStatus: 'COMPLETED' } });
          } else {
            throw new Error(`the local twin does not run ${state.Resource} (state ${name})`);
          }
        }
        states[name] = state;
      }
      const machine = new StateMachine({ ...definition, States: states } as StateMachineDefinition, { validationOptions: { checkArn: false } });
      try {
        const output = await machine.run(request, {
          overrides: { taskResourceLocalHandlers: taskHandlers, waitTimeOverrides, retryIntervalOverrides },
          context: { Execution: { Id: executionArn, Name: runId, RoleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/local` } },
        }).result;
        return { status: 'SUCCEEDED' as const, output };
      } catch (error) {
        const cause = (error as { cause?: Error }).cause ?? (error as Error);
        return { status: 'FAILED' as const, error: `${cause.name}: ${cause.message}` };
      }
    });
    void evaluateTemplate;

    // What the run kept in S3 is copied next to the log, so it outlives the in-memory endpoints.
    const keptDir = join(options.workDir, 'runs', runId);
    mkdirSync(keptDir, { recursive: true });
    const kept: RegistryRunSummary['kept'] = { rejected: null, failures: null, summary: null };
    let runSummary: Json = null;
    const summaryKeys = await listKeys(clients, runBucket, `runs/${runId}/summary.json`);
    if (summaryKeys.length) {
      const text = await getText(clients, runBucket, summaryKeys[0]);
      runSummary = JSON.parse(text);
      writeFileSync((kept.summary = join(keptDir, 'summary.json')), text);
    }
    const rejectedKeys = await listKeys(clients, runBucket, `runs/${runId}/rejected/`);
    if (rejectedKeys.length) {
      kept.rejected = join(keptDir, 'rejected.jsonl');
      writeFileSync(kept.rejected, '');
      for (const key of rejectedKeys.sort()) writeFileSync(kept.rejected, await getText(clients, runBucket, key), { flag: 'a' });
    }
    const failedKeys = (await listKeys(clients, runBucket, `runs/${runId}/results/`)).filter((k) => /\/FAILED_\d+\.json$/.test(k));
    if (failedKeys.length) {
      kept.failures = join(keptDir, 'failed-batches.json');
      const entries = [];
      for (const key of failedKeys) entries.push(...(JSON.parse(await getText(clients, runBucket, key)) as Json[]).map((e) => ({ error: e.Error, cause: e.Cause, input: JSON.parse(e.Input) })));
      writeFileSync(kept.failures, JSON.stringify(entries, null, 2));
    }

    // Counted (and dumped) a page at a time: a million-donor table is never held whole.
    const tableItems = await readScoreTable(clients, pipeline.scoreTable, options.dumpTable, () => undefined);
    const count = (k: string) => Number(runSummary?.[k] ?? 0);
    const summary: RegistryRunSummary = {
      stack: synthesized.stackName,
      mode: options.mode,
      status: outcome.status,
      ...(outcome.status === 'FAILED' ? { error: outcome.error } : {}),
      runId,
      scoringDate: runSummary?.scoringDate ?? options.asOf ?? null,
      rows: count('rows'),
      scored: count('scored'),
      unchanged: count('unchanged'),
      stale: count('stale'),
      rejected: count('rejected'),
      failed: count('failed'),
      failedBatches: count('failedBatches'),
      rejectedByRule: runSummary?.rejectedByRule ?? {},
      tableItems,
      kept,
      logFile,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
    return { summary, endpoints, clients, pipeline };
  } catch (error) {
    await endpoints.stop();
    throw error;
  }
}

export function formatRegistryRun(s: RegistryRunSummary): string {
  const pct = (n: number) => (s.rows ? `${((100 * n) / s.rows).toFixed(1)}%` : '0%');
  const line = (label: string, n: number) => `  ${label.padEnd(22)}${String(n).padStart(8)}  ${pct(n)}`;
  const rules = Object.entries(s.rejectedByRule)
    .sort((a, b) => b[1] - a[1])
    .map(([rule, n]) => `      ${String(n).padStart(6)}  ${rule}`);
  return [
    `Registry ${s.mode} ${s.runId} on the local twin of ${s.stack}: ${s.rows} rows as of ${s.scoringDate} in ${s.seconds} s, ${s.status}`,
    line('scored', s.scored),
    line('unchanged (not written)', s.unchanged),
    line('stale (newer stored)', s.stale),
    line('rejected', s.rejected),
    ...rules,
    line('failed', s.failed) + (s.failedBatches ? `   (${s.failedBatches} batches after retries)` : ''),
    `  score table           ${String(s.tableItems).padStart(8)} donors`,
    ...(s.kept.rejected ? [`  rejected rows         ${s.kept.rejected}`] : []),
    ...(s.kept.failures ? [`  failed batches        ${s.kept.failures}`] : []),
    ...(s.kept.summary ? [`  run summary           ${s.kept.summary}`] : []),
    `  function logs         ${s.logFile}`,
    ...(s.error ? [`Run failed: ${s.error}`] : []),
    s.rows === s.scored + s.unchanged + s.stale + s.rejected + s.failed
      ? `Every row accounted for: ${s.rows} = ${s.scored} scored + ${s.unchanged} unchanged + ${s.stale} stale + ${s.rejected} rejected + ${s.failed} failed`
      : `NOT every row is accounted for: ${s.rows} rows, ${s.scored + s.unchanged + s.stale + s.rejected + s.failed} with an outcome`,
  ].join('\n');
}
