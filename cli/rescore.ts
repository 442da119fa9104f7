// `drs rescore` against AWS: find the stack's registry-run state machine and bucket from its
// outputs, start a run, and follow it from the map run's counts until it ends.
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, DescribeMapRunCommand, ListMapRunsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { stackNameFor } from '../lib/pipeline-app';

export interface RescoreRequest {
  stage: string;
  asOf?: string;
  tolerance?: number;
  /**
   * Backfill instead: an object key in the run bucket (imports/registry-2026-11.jsonl or .jsonl.gz),
   * or a folder ending in '/' (imports/registry-2026-11/) holding an export split into files of at
   * most 10 GB each (the map's item reader reads at most that per object).
   */
  backfillKey?: string;
}

export interface RunLocation {
  stateMachineArn: string;
  runBucket: string;
}

export interface RunProgress {
  status: string;
  /** Batches of the map run: total is known once the reader is done. */
  batches: { total: number; succeeded: number; failed: number; running: number };
}

export function runInput(request: RescoreRequest): Record<string, unknown> {
  return {
    mode: request.backfillKey ? 'backfill' : 'refresh',
    trigger: 'drs rescore',
    ...(request.asOf ? { scoringDate: request.asOf } : {}),
    ...(request.tolerance !== undefined ? { tolerance: request.tolerance } : {}),
    ...(request.backfillKey ? { source: request.backfillKey.endsWith('/') ? { prefix: request.backfillKey } : { key: request.backfillKey } } : {}),
  };
}

export async function locateRun(cfn: CloudFormationClient, stage: string): Promise<RunLocation> {
  const stackName = stackNameFor(stage);
  const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  if (!outputs.RegistryRunStateMachineArn || !outputs.RegistryRunBucketName) {
    throw new Error(`stack ${stackName} has no registry-run outputs: deploy this version first (npx cdk deploy -c stage=${stage})`);
  }
  return { stateMachineArn: outputs.RegistryRunStateMachineArn, runBucket: outputs.RegistryRunBucketName };
}

export async function startRun(sfn: SFNClient, location: RunLocation, request: RescoreRequest, now = new Date()): Promise<{ executionArn: string; runId: string }> {
  const runId = `drs-${request.backfillKey ? 'backfill' : 'refresh'}-${now.toISOString().replace(/[-:.]/g, '').slice(0, 15)}`;
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: location.stateMachineArn, name: runId, input: JSON.stringify(runInput(request)) }));
  return { executionArn: executionArn!, runId };
}

export async function runProgress(sfn: SFNClient, executionArn: string): Promise<RunProgress> {
  const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  const batches = { total: 0, succeeded: 0, failed: 0, running: 0 };
  const { mapRuns } = await sfn.send(new ListMapRunsCommand({ executionArn }));
  for (const run of mapRuns ?? []) {
    const counts = (await sfn.send(new DescribeMapRunCommand({ mapRunArn: run.mapRunArn }))).itemCounts;
    batches.total += counts?.total ?? 0;
    batches.succeeded += counts?.succeeded ?? 0;
    batches.failed += counts?.failed ?? 0;
    batches.running += counts?.running ?? 0;
  }
  return { status: execution.status ?? 'UNKNOWN', batches };
}

export async function readRunSummary(s3: S3Client, bucket: string, runId: string): Promise<Record<string, unknown> | null> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `runs/${runId}/summary.json` }));
    return JSON.parse(await object.Body!.transformToString('utf8'));
  } catch {
    return null;
  }
}

export function awsClients() {
  return { cfn: new CloudFormationClient({}), sfn: new SFNClient({}), s3: new S3Client({}) };
}
