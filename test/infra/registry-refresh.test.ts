// The registry-run construct as synthesized: a valid ASL definition with two Distributed Maps, the
// batch function's exact permissions and environment, the schedule, the failed-run alarm and the
// model-change trigger.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { ModelManifest } from '../../lambdas/core/model-manifest';
import { buildInFileAssembly } from './file-assembly';
import { PipelineConfigError } from '../../lib/pipeline-config';
import { mapConcurrency } from '../../lib/registry-refresh';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const validateAsl = require('asl-validator') as (definition: unknown) => { isValid: boolean; errors: { Message: string }[] };

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'model', 'manifest.json'), 'utf8')) as ModelManifest;
const { stack, app } = buildInFileAssembly({ stage: 'prod', alertEmails: 'team@example.org', refreshSchedule: 'cron(0 3 * * ? *)', refreshTimeZone: 'Europe/Berlin', refreshWritesPerSecond: '4000' });
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Record<string, any>;
const only = (type: string, prefix: string) => {
  const found = Object.entries(resources).filter(([id, r]) => r.Type === type && id.startsWith(prefix));
  if (found.length !== 1) throw new Error(`expected one ${type} under ${prefix}, found ${found.length}`);
  return found[0];
};
const [fnId, fn] = only('AWS::Lambda::Function', 'RegistryRefreshBatchFunction');
const [smId, sm] = only('AWS::StepFunctions::StateMachine', 'RegistryRefresh');
const [bucketId] = only('AWS::S3::Bucket', 'RegistryRefreshRunBucket');
const [tableId] = only('AWS::DynamoDB::Table', 'ScoreStore');
const [topicId] = only('AWS::SNS::Topic', 'Alerting');
const [keyId] = only('AWS::KMS::Key', 'DataKey');

/** A CloudFormation reference as it would resolve in account 123456789012, us-east-1. */
function resolved(part: any): string {
  if (part.Ref === 'AWS::Partition') return 'aws';
  if (part.Ref) return `ref-${String(part.Ref).toLowerCase()}`;
  const [id] = part['Fn::GetAtt'];
  const type = resources[id].Type;
  if (type === 'AWS::Lambda::Function') return `arn:aws:lambda:us-east-1:123456789012:function:${id}`;
  if (type === 'AWS::DynamoDB::Table') return `arn:aws:dynamodb:us-east-1:123456789012:table/${id}`;
  if (type === 'AWS::KMS::Key') return `arn:aws:kms:us-east-1:123456789012:key/${id}`;
  throw new Error(`unexpected reference ${JSON.stringify(part)}`);
}
const definitionText = (sm.Properties.DefinitionString['Fn::Join'][1] as unknown[]).map((part) => (typeof part === 'string' ? part : resolved(part))).join('');
const definition = JSON.parse(definitionText);
const maps = Object.fromEntries(Object.entries(definition.States as Record<string, any>).filter(([, s]) => s.Type === 'Map'));

test('the definition is valid Amazon States Language, and the validator does refuse a broken one', () => {
  const verdict = validateAsl(definition);
  expect(verdict.errors).toEqual([]);
  expect(verdict.isValid).toBe(true);
  const broken = JSON.parse(definitionText);
  broken.States['Backfill or refresh?'].Default = 'No such state';
  expect(validateAsl(broken).isValid).toBe(false);
  const noProcessorStart = JSON.parse(definitionText);
  delete noProcessorStart.States['Score export rows'].ItemProcessor.StartAt;
  expect(validateAsl(noProcessorStart).isValid).toBe(false);
});

test('backfill and refresh are Distributed Maps over rows, with a reader, a batcher, Express children, a result writer and paced concurrency', () => {
  expect(Object.keys(maps).sort()).toEqual(['Score export files', 'Score export rows', 'Score snapshot rows']);
  const rows = maps['Score export rows'];
  const files = maps['Score export files'];
  const snapshot = maps['Score snapshot rows'];
  const backfillInput = { 'runId.$': '$.runId', mode: 'backfill', 'scoringDate.$': '$.scoringDate', 'tolerance.$': '$.tolerance' };
  expect(rows.ItemBatcher).toEqual({ MaxItemsPerBatch: 400, MaxInputBytesPerBatch: 262144, BatchInput: backfillInput });
  expect(files.ItemBatcher).toEqual({ MaxItemsPerBatch: 400, MaxInputBytesPerBatch: 262144, BatchInput: backfillInput });
  expect(snapshot.ItemBatcher).toEqual({ MaxItemsPerBatch: 100, MaxInputBytesPerBatch: 262144, BatchInput: { 'runId.$': '$.runId', mode: 'refresh', 'scoringDate.$': '$.scoringDate', 'tolerance.$': '$.tolerance' } });
  const bucket = `ref-${bucketId.toLowerCase()}`;
  // One export file, gzip or not, is read as it is (Step Functions decompresses .gz itself).
  expect(rows.ItemReader).toEqual({ Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSONL' }, Parameters: { Bucket: bucket, 'Key.$': '$.source.key' } });
  // Many files (a split export, the table export's data files): listed, and their lines read as items.
  const flattened = { InputType: 'JSONL', Transformation: 'LOAD_AND_FLATTEN' };
  expect(files.ItemReader).toEqual({ Resource: 'arn:aws:states:::s3:listObjectsV2', ReaderConfig: flattened, Parameters: { Bucket: bucket, 'Prefix.$': '$.source.prefix' } });
  expect(snapshot.ItemReader).toEqual({ Resource: 'arn:aws:states:::s3:listObjectsV2', ReaderConfig: flattened, Parameters: { Bucket: bucket, 'Prefix.$': '$.snapshot.dataPrefix' } });
  for (const map of [rows, files, snapshot]) {
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' });
    expect(map.MaxConcurrency).toBe(mapConcurrency(4000));
    expect(map.ToleratedFailurePercentage).toBe(100);
    // COMPACT: a succeeded batch is kept as its counts, not its rows; a failed one whole.
    expect(map.ResultWriter).toEqual({ Resource: 'arn:aws:states:::s3:putObject', WriterConfig: { OutputType: 'JSON', Transformation: 'COMPACT' }, Parameters: { Bucket: bucket, 'Prefix.$': "States.Format('runs/{}/results', $.runId)" } });
    const task = Object.values(map.ItemProcessor.States)[0] as any;
    expect(task.Resource).toBe(`arn:aws:lambda:us-east-1:123456789012:function:${fnId}`);
    expect(task.Retry).toEqual([{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }]);
    expect(map.Next).toBe('Summarize run');
  }
  expect(mapConcurrency(4000)).toBe(10);
  expect(mapConcurrency(8000)).toBe(20);
  expect(mapConcurrency(50)).toBe(1);
  // The refresh reads a point-in-time export of the score table (no read capacity); the map reads
  // its gzip data files directly, under the export's data/ folder (not its manifests).
  expect(definition.States['Export table snapshot']).toMatchObject({ Resource: 'arn:aws:states:::aws-sdk:dynamodb:exportTableToPointInTime', Parameters: { TableArn: `arn:aws:dynamodb:us-east-1:123456789012:table/${tableId}`, ExportFormat: 'DYNAMODB_JSON', S3SseAlgorithm: 'KMS' } });
  expect(definition.States['Snapshot ready?'].Choices[0].Next).toBe('Snapshot data files');
  expect(definition.States['Snapshot data files']).toEqual({
    Type: 'Pass',
    QueryLanguage: 'JSONPath',
    Parameters: { 'dataPrefix.$': "States.Format('snapshots/{}/AWSDynamoDB/{}/data/', $.runId, States.ArrayGetItem(States.StringSplit($.export.arn, '/'), 3))" },
    ResultPath: '$.snapshot',
    Next: 'Score snapshot rows',
  });
  // No step copies or decompresses the source before the map: nothing runs for minutes alone.
  const lambdaStates = Object.entries(definition.States as Record<string, any>).filter(([, st]) => st.Type === 'Task' && String(st.Resource).includes(':lambda:'));
  expect(lambdaStates.map(([name]) => name)).toEqual(['Summarize run']);
});

test('a backfill reads one export file (key) or an export split into files (prefix), both under imports/; anything else is refused', () => {
  const choice = definition.States['Backfill or refresh?'];
  expect(choice.Choices).toEqual([
    { And: [{ Variable: '$.mode', StringEquals: 'backfill' }, { Variable: '$.source.key', IsPresent: true }, { Variable: '$.source.key', StringMatches: 'imports/*' }], Next: 'Score export rows' },
    { And: [{ Variable: '$.mode', StringEquals: 'backfill' }, { Variable: '$.source.prefix', IsPresent: true }, { Variable: '$.source.prefix', StringMatches: 'imports/*/' }], Next: 'Score export files' },
    { Variable: '$.mode', StringEquals: 'refresh', Next: 'Export table snapshot' },
  ]);
  expect(choice.Default).toBe('Unknown run');
  expect(definition.States['Unknown run']).toMatchObject({ Type: 'Fail', Error: 'InvalidRunInput' });
});

test('the score table is pre-warmed for the run pace plus live scoring, and a pace that leaves too little is refused', () => {
  const [, table] = only('AWS::DynamoDB::Table', 'ScoreStore');
  expect(table.Properties.WarmThroughput).toEqual({ WriteUnitsPerSecond: 12000 }); // the default (tableWarmWritesPerSecond)
  expect(() => buildInFileAssembly({ stage: 'prod', alertEmails: 'team@example.org', refreshWritesPerSecond: '11500' })).toThrow(/refreshWritesPerSecond=11500 leaves less than 1000/);
  const big = buildInFileAssembly({ stage: 'prod', alertEmails: 'team@example.org', refreshWritesPerSecond: '24000', tableWarmWritesPerSecond: '30000' });
  const bigResources = Template.fromStack(big.stack).toJSON().Resources as Record<string, any>;
  const bigTable = Object.values(bigResources).find((r) => r.Type === 'AWS::DynamoDB::Table' && r.Properties.WarmThroughput);
  expect(bigTable.Properties.WarmThroughput).toEqual({ WriteUnitsPerSecond: 30000 });
  const bigMachine = Object.values(bigResources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  expect(JSON.stringify(bigMachine.Properties.DefinitionString)).toContain('\\"MaxConcurrency\\":60');
});

test("the batch function's handler exists, its environment points at the right resources and its grants are exact", () => {
  expect(fn.Properties).toMatchObject({ Handler: 'index.handler', Runtime: 'nodejs22.x', MemorySize: 1769, Timeout: 900 });
  expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
  const asset = join(app.synth().directory, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`, 'index.js');
  expect(readFileSync(asset, 'utf8')).toMatch(/\bhandler:\(\)=>/);
  expect(fn.Properties.Environment.Variables).toEqual({
    STAGE: 'prod',
    WRITE_CONCURRENCY: '16',
    WRITES_PER_SECOND: '400',
    POWERTOOLS_SERVICE_NAME: 'registry-run',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    SCORE_TABLE_NAME: { Ref: tableId },
    MODEL_BUCKET: { Ref: only('AWS::S3::Bucket', 'ModelStoreBucket')[0] },
    MODEL_PREFIX: `models/${manifest.onnx.sha256}/`,
    MODEL_SHA256: manifest.onnx.sha256,
    RUN_BUCKET: { Ref: bucketId },
  });
  const policy = Object.values(resources).find((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((role: any) => role.Ref === fn.Properties.Role['Fn::GetAtt'][0]));
  const statements = policy.Properties.PolicyDocument.Statement as any[];
  expect(statements).toContainEqual({ Action: 'dynamodb:PutItem', Effect: 'Allow', Resource: { 'Fn::GetAtt': [tableId, 'Arn'] } });
  expect(statements).toContainEqual({ Action: 's3:PutObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/runs/*']] } });
  // The function reads only the run's own results: the map's reader reads exports and snapshots.
  const s3Resources = statements.filter((s) => JSON.stringify(s.Action).includes('s3:')).flatMap((s) => [s.Resource].flat()).map((r) => JSON.stringify(r));
  expect(s3Resources.filter((r) => r.includes(bucketId))).toEqual(expect.arrayContaining([JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/runs/*']] })]));
  expect(s3Resources.filter((r) => r.includes(bucketId) && !r.includes('/runs/*'))).toEqual([]);
  expect(statements.some((s) => JSON.stringify(s.Action).includes('s3:ListBucket'))).toBe(false);
  expect(statements).toContainEqual({ Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  for (const s of statements) expect(JSON.stringify(s.Resource)).not.toBe('"*"');
});

test('the daily refresh runs on EventBridge Scheduler at the configured time and zone; off means no schedule', () => {
  const [, schedule] = only('AWS::Scheduler::Schedule', 'RegistryRefresh');
  expect(schedule.Properties).toMatchObject({ ScheduleExpression: 'cron(0 3 * * ? *)', ScheduleExpressionTimezone: 'Europe/Berlin', State: 'ENABLED', Target: { Arn: { Ref: smId } } });
  expect(JSON.parse(schedule.Properties.Target.Input)).toEqual({ mode: 'refresh', tolerance: 0.002, trigger: 'schedule' });
  const off = buildInFileAssembly({ stage: 'prod', alertEmails: 'team@example.org', refreshSchedule: 'off' });
  Template.fromStack(off.stack).resourceCountIs('AWS::Scheduler::Schedule', 0);
  expect(() => buildInFileAssembly({ stage: 'prod', refreshSchedule: 'daily' })).toThrow(PipelineConfigError);
  expect(() => buildInFileAssembly({ stage: 'prod', refreshTolerance: '0.5' })).toThrow(/refreshTolerance/);
});

test('a failed, timed-out or aborted run raises an alarm to the alert topic, saying where to look', () => {
  const [, alarm] = only('AWS::CloudWatch::Alarm', 'RegistryRefreshFailedRunsAlarm');
  expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
  expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
  const metrics = (alarm.Properties.Metrics as any[]).filter((m) => m.MetricStat).map((m) => m.MetricStat.Metric.MetricName).sort();
  expect(metrics).toEqual(['ExecutionsAborted', 'ExecutionsFailed', 'ExecutionsTimedOut']);
  expect(JSON.stringify(alarm.Properties.AlarmDescription)).toMatch(/summary\.json/);
});

test('a deployment that changes the pinned model starts a rescoring of every donor', () => {
  const [, trigger] = only('Custom::AWS', 'RegistryRefreshRescoreOnModelChange');
  for (const phase of ['Create', 'Update']) {
    const call = JSON.stringify(trigger.Properties[phase]);
    expect(call).toContain('"action\\":\\"startExecution\\"');
    expect(call).toContain(`model-${manifest.onnx.sha256}`); // the physical id changes exactly with the model
    expect(call).toContain(`\\\\\\"modelSha256\\\\\\":\\\\\\"${manifest.onnx.sha256}`);
  }
  expect(trigger.DependsOn).toEqual(expect.arrayContaining([fnId]));
});

test('the dashboard shows runs: executions by end state of this state machine, rows by outcome, and table writes beside the pace', () => {
  const [, dashboard] = only('AWS::CloudWatch::Dashboard', 'Monitoring');
  const parts = dashboard.Properties.DashboardBody['Fn::Join'][1] as unknown[];
  // Render the body with each reference as its logical id, then read the widgets as JSON.
  const body = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : `<${(p as any).Ref ?? (p as any)['Fn::GetAtt']?.[0] ?? 'region'}>`)).join(''));
  const widget = (title: string) => body.widgets.find((w: any) => w.properties.title === title)?.properties;
  const runs = widget('Registry runs (executions)');
  expect(runs.metrics.map((m: any[]) => [m[0], m[1], m[2], m[3], m[4].label])).toEqual(
    ['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsAborted', 'ExecutionsTimedOut'].map((name, i) => ['AWS/States', name, 'StateMachineArn', `<${smId}>`, ['started', 'succeeded', 'failed', 'aborted', 'timed out'][i]]),
  );
  const rows = widget('Registry run rows by outcome');
  const rowMetrics = rows.metrics.filter((m: any[]) => m[0] === 'DonorReadiness');
  expect(rowMetrics.map((m: any[]) => m[1])).toEqual(['RunRowsScored', 'RunRowsUnchanged', 'RunRowsStale', 'RunRowsRejected', 'RunRowsFailed']);
  for (const m of rowMetrics) expect(m.slice(2, 6)).toEqual(['service', 'registry-run', 'stage', 'prod']);
  expect(rows.metrics).toContainEqual(['AWS/Lambda', 'Errors', 'FunctionName', `<${fnId}>`, expect.objectContaining({ yAxis: 'right' })]);
  const writes = widget('Score table writes (units/s) and throttles');
  expect(JSON.stringify(writes.metrics)).toContain(`"ConsumedWriteCapacityUnits","TableName","<${tableId}>"`);
  expect(writes.annotations.horizontal.map((a: any) => a.value)).toEqual([4000, 12000]);
});

test("the state machine lists only imports/ and snapshots/ and reads the sources there (the map's item readers)", () => {
  const policies = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((role: any) => role.Ref === sm.Properties.RoleArn['Fn::GetAtt'][0]));
  const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as any[]);
  const list = statements.filter((s) => [s.Action].flat().includes('s3:ListBucket'));
  expect(list).toEqual([{ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['imports/*', 'snapshots/*'] } }, Effect: 'Allow', Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] } }]);
  const objects = (suffix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, suffix]] });
  expect(statements).toContainEqual({ Action: 's3:GetObject', Effect: 'Allow', Resource: [objects('/imports/*'), objects('/snapshots/*')] });
});
