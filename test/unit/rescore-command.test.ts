// drs rescore's AWS glue with the SDK clients faked at their boundary: which outputs it reads,
// what it starts, and how it adds up a map run's progress.
import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeExecutionCommand, DescribeMapRunCommand, ListMapRunsCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { locateRun, runInput, runProgress, startRun } from '../../cli/rescore';

const fake = <T>(answer: (command: unknown) => unknown) => ({ send: async (command: unknown) => answer(command) }) as unknown as T;

test('the run is found from the stack outputs, and a stack without them is named with what to do', async () => {
  const cfn = fake<CloudFormationClient>((c) => {
    expect(c).toBeInstanceOf(DescribeStacksCommand);
    expect((c as DescribeStacksCommand).input.StackName).toBe('DonorReadiness-prod');
    return { Stacks: [{ Outputs: [{ OutputKey: 'RegistryRunStateMachineArn', OutputValue: 'arn:sm' }, { OutputKey: 'RegistryRunBucketName', OutputValue: 'runs-bucket' }] }] };
  });
  await expect(locateRun(cfn, 'prod')).resolves.toEqual({ stateMachineArn: 'arn:sm', runBucket: 'runs-bucket' });
  const old = fake<CloudFormationClient>(() => ({ Stacks: [{ Outputs: [] }] }));
  await expect(locateRun(old, 'prod')).rejects.toThrow(/no registry-run outputs: deploy this version first \(npx cdk deploy -c stage=prod\)/);
});

test('a refresh and a backfill start with the input the state machine reads', async () => {
  expect(runInput({ stage: 'prod' })).toEqual({ mode: 'refresh', trigger: 'drs rescore' });
  expect(runInput({ stage: 'prod', asOf: '2027-01-02', tolerance: 0.001 })).toEqual({ mode: 'refresh', trigger: 'drs rescore', scoringDate: '2027-01-02', tolerance: 0.001 });
  expect(runInput({ stage: 'prod', backfillKey: 'imports/x.jsonl' })).toMatchObject({ mode: 'backfill', source: { key: 'imports/x.jsonl' } });
  // A folder (an export split into files of <= 10 GB) is read file by file by the map.
  expect(runInput({ stage: 'prod', backfillKey: 'imports/registry-2026/' })).toEqual({ mode: 'backfill', trigger: 'drs rescore', source: { prefix: 'imports/registry-2026/' } });
  const started: StartExecutionCommand[] = [];
  const sfn = fake<SFNClient>((c) => (started.push(c as StartExecutionCommand), { executionArn: 'arn:exec' }));
  const run = await startRun(sfn, { stateMachineArn: 'arn:sm', runBucket: 'b' }, { stage: 'prod', asOf: '2027-01-02' }, new Date('2027-01-02T03:04:05.678Z'));
  expect(run).toEqual({ executionArn: 'arn:exec', runId: 'drs-refresh-20270102T030405' });
  expect(started[0].input).toMatchObject({ stateMachineArn: 'arn:sm', name: 'drs-refresh-20270102T030405' });
  expect(JSON.parse(started[0].input.input!)).toEqual({ mode: 'refresh', trigger: 'drs rescore', scoringDate: '2027-01-02' });
});

test("progress adds up every map run's batch counts", async () => {
  const sfn = fake<SFNClient>((c) => {
    if (c instanceof DescribeExecutionCommand) return { status: 'RUNNING' };
    if (c instanceof ListMapRunsCommand) return { mapRuns: [{ mapRunArn: 'a' }, { mapRunArn: 'b' }] };
    if (c instanceof DescribeMapRunCommand) return { itemCounts: c.input.mapRunArn === 'a' ? { total: 10, succeeded: 4, failed: 1, running: 2 } : { total: 5, succeeded: 5, failed: 0, running: 0 } };
    throw new Error('unexpected command');
  });
  await expect(runProgress(sfn, 'arn:exec')).resolves.toEqual({ status: 'RUNNING', batches: { total: 15, succeeded: 9, failed: 1, running: 2 } });
});
