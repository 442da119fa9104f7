// The scoring Lambda with its log group and the queues that keep what it could not score. Each
// permission is granted next to the environment variable that points at the same resource.
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { encryptedQueue, retainOutsideDev } from './encrypted-queue';
import { BUNDLING, functionBasics, PROJECT_ROOT } from './function-basics';
import type { FunctionNetwork } from './function-network';
import { allowGetObjects, allowKeyUse, allowSend, queueDestination } from './least-privilege';
import type { ModelStore } from './model-store';

export { PROJECT_ROOT };
export const HANDLER_ENTRY = join(PROJECT_ROOT, 'lambdas', 'score-donor', 'handler.ts');
export const HANDLER_EXPORT = 'handler';
/** Replaces @aws-sdk/credential-provider-node in the scoring bundle (see the file's comment). */
export const ENVIRONMENT_CREDENTIALS = join(PROJECT_ROOT, 'lambdas', 'score-donor', 'environment-credentials.ts');
/** The SQS client (failure path only), bundled as a file of its own beside index.js. */
export const SQS_CLIENT_ENTRY = join(PROJECT_ROOT, 'lambdas', 'score-donor', 'sqs-client.ts');
/** The DynamoDB client for the alert counts (failure path only), a file of its own beside index.js. */
export const ALERT_RECORDER_ENTRY = join(PROJECT_ROOT, 'lambdas', 'score-donor', 'alert-recorder.ts');
/** zod and the contract's schema (details the byte scanner does not read), a file of its own beside index.js. */
export const DETAIL_SCHEMA_ENTRY = join(PROJECT_ROOT, 'lambdas', 'score-donor', 'detail-schema.ts');

/**
 * The command that bundles a module off the valid event's path (`sqs-client`, `alert-recorder`,
 * `detail-schema`) into a file of its own beside the handler, with the same esbuild options as the
 * handler: index.js requires it at its first use, so a cold start does not compile it (bench/PROFILE.md).
 */
export function bundleApartCommand(outputDir: string, entry: string, externals: readonly string[] = []): string {
  const esbuild = join(dirname(require.resolve('esbuild/package.json')), 'bin', 'esbuild');
  const options = [
    '--bundle',
    '--platform=node',
    `--target=${BUNDLING.target}`,
    '--format=cjs',
    '--minify',
    `--main-fields=${BUNDLING.mainFields.join(',')}`,
    '--supported:dynamic-import=false',
    `--alias:@aws-sdk/credential-provider-node=${ENVIRONMENT_CREDENTIALS}`,
    '--log-level=error',
    ...externals.map((name) => `--external:${name}`),
  ];
  const name = `${basename(entry, '.ts')}.js`;
  return `"${esbuild}" "${entry}" ${options.join(' ')} --outfile="${join(outputDir, name)}"`;
}

/**
 * Dynamic imports in the SDK that the handler never reaches but esbuild sees: `HttpProtocol`'s
 * `import("@smithy/core/event-streams")`, which `--supported:dynamic-import=false` makes a require.
 * A module reached by require is wrapped in a lazy initialiser, and with it every module it
 * imports (most of `@smithy/core`), each compiled twice at a cold start (preparsed, then parsed
 * when run). External, the import is dropped with the code that holds it, and the wrappers with it
 * (bench/PROFILE.md, "Cold start", step 8); the infra test holds that nothing requires it.
 */
export const LAZY_WRAP_FREE = ['@smithy/core/event-streams'];

export interface ScoringFunctionProps {
  key: IKey;
  stage: string;
  architecture: 'x86_64' | 'arm64';
  memorySize: number;
  /** Off (undefined) by default: see README, "Concurrency and quotas". */
  reservedConcurrency?: number;
  logRetentionDays: number;
  scoreTable: ITable;
  modelStore: ModelStore;
  /** Where failures are counted for the throttled alert e-mails. */
  alertStateTable: ITable;
  /** Set in VPC mode (-c vpc=true). */
  network?: FunctionNetwork;
}

/**
 * Shell commands that copy onnxruntime-node into the bundle with only the target platform's
 * binaries (linux/x64 ~46 MB, linux/arm64 ~25 MB instead of ~290 MB for every platform). They copy
 * the installed package, so synth never reaches the registry.
 */
export function onnxRuntimeCopyCommands(outputDir: string, architecture: 'x86_64' | 'arm64'): string[] {
  const arch = architecture === 'arm64' ? 'arm64' : 'x64';
  const ortDir = dirname(require.resolve('onnxruntime-node/package.json'));
  // onnxruntime-common exports no package.json: find it where npm put it, nested or hoisted.
  const commonDir = [join(ortDir, 'node_modules', 'onnxruntime-common'), join(ortDir, '..', 'onnxruntime-common')].find((d) =>
    existsSync(join(d, 'package.json')),
  );
  if (!commonDir) throw new Error('onnxruntime-common is not installed next to onnxruntime-node: run npm ci');
  const target = join(outputDir, 'node_modules');
  const binaries = join('bin', 'napi-v6', 'linux', arch);
  return [
    `mkdir -p "${join(target, 'onnxruntime-node', binaries)}" "${join(target, 'onnxruntime-common')}"`,
    `cp "${join(ortDir, 'package.json')}" "${join(target, 'onnxruntime-node')}/"`,
    `cp -R "${join(ortDir, 'dist')}" "${join(target, 'onnxruntime-node')}/"`,
    `cp "${join(ortDir, binaries)}/"* "${join(target, 'onnxruntime-node', binaries)}/"`,
    `cp "${join(commonDir, 'package.json')}" "${join(target, 'onnxruntime-common')}/"`,
    `cp -R "${join(commonDir, 'dist')}" "${join(target, 'onnxruntime-common')}/"`,
  ];
}

export class ScoringFunction extends Construct {
  public readonly function: NodejsFunction;
  public readonly logGroup: LogGroup;
  /** Events that break the contract, kept whole with field and rule. */
  public readonly rejectedQueue: Queue;
  /** Lambda's on-failure destination: invocation records (event + error) after all retries. */
  public readonly failedQueue: Queue;
  /** Lambda's dead-letter queue: the bare events after all retries. */
  public readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: ScoringFunctionProps) {
    super(scope, id);
    // The kept events are the only copy of what was not scored: a deleted stack keeps them (except dev).
    const kept = { removalPolicy: retainOutsideDev(props.stage) };
    this.rejectedQueue = encryptedQueue(this, 'RejectedEvents', props.key, kept);
    this.failedQueue = encryptedQueue(this, 'FailedScoring', props.key, kept);
    this.deadLetterQueue = encryptedQueue(this, 'DeadLetters', props.key, kept);
    const basics = functionBasics(this, {
      ...props,
      logName: 'scoring-function',
      roleDescription: 'Donor readiness scoring function: writes its log group, scores, rejected events and alert counts',
    });
    this.logGroup = basics.logGroup;

    this.function = new NodejsFunction(this, 'Function', {
      ...basics.functionProps,
      description: 'Scores DonorUpdated events with the donor readiness ONNX model',
      entry: HANDLER_ENTRY,
      handler: HANDLER_EXPORT,
      memorySize: props.memorySize,
      // Cold start (model from S3 + ORT session) is well under a second; 30 s leaves room for retries of the SDK.
      timeout: Duration.seconds(30),
      reservedConcurrentExecutions: props.reservedConcurrency,
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: queueDestination(this.failedQueue),
      deadLetterQueue: this.deadLetterQueue,
      environment: {
        STAGE: props.stage,
        POWERTOOLS_SERVICE_NAME: 'score-donor',
        POWERTOOLS_METRICS_NAMESPACE: 'DonorReadiness',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      bundling: {
        ...BUNDLING,
        // Credentials from the environment only, where Lambda puts the role's: the default chain's
        // SSO/STS clients are not bundled (a tenth of the bundle compiled at every cold start).
        esbuildArgs: { ...BUNDLING.esbuildArgs, '--alias': `@aws-sdk/credential-provider-node=${ENVIRONMENT_CREDENTIALS}` },
        // The native module stays outside the bundle; the hook copies it in. So do the SQS client
        // (`require('./sqs-client')` in aws-ports.ts) and the alert counts' DynamoDB client
        // (`require('./alert-recorder')` in handler.ts), and zod with the contract's schema
        // (`require('./detail-schema')` in event-detail.ts), which the hook bundles apart.
        externalModules: ['onnxruntime-node', '*/sqs-client', '*/alert-recorder', '*/detail-schema', ...LAZY_WRAP_FREE],
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) => [
            ...onnxRuntimeCopyCommands(outputDir, props.architecture),
            bundleApartCommand(outputDir, SQS_CLIENT_ENTRY),
            bundleApartCommand(outputDir, ALERT_RECORDER_ENTRY),
            bundleApartCommand(outputDir, DETAIL_SCHEMA_ENTRY),
          ],
        },
      },
    });
    const fn = this.function;

    fn.addEnvironment('SCORE_TABLE_NAME', props.scoreTable.tableName);
    props.scoreTable.grant(fn, 'dynamodb:PutItem');
    allowKeyUse(fn, props.key);

    fn.addEnvironment('MODEL_BUCKET', props.modelStore.bucket.bucketName);
    fn.addEnvironment('MODEL_PREFIX', props.modelStore.modelPrefix);
    fn.addEnvironment('MODEL_SHA256', props.modelStore.manifest.onnx.sha256);
    // Naming the ONNX object lets a cold start fetch it beside the manifest, not after it.
    fn.addEnvironment('MODEL_FILE', props.modelStore.manifest.onnx.file);
    // Exactly the two objects of the pinned model: nothing else in the bucket, no listing.
    allowGetObjects(fn, props.modelStore.objectKeys.map((key) => props.modelStore.bucket.arnForObjects(key)));

    fn.addEnvironment('REJECTED_QUEUE_URL', this.rejectedQueue.queueUrl);
    allowSend(fn, this.rejectedQueue);
    // The on-failure destination; the function also writes it for events SQS would refuse as sent by Lambda.
    fn.addEnvironment('FAILED_QUEUE_URL', this.failedQueue.queueUrl);
    allowSend(fn, this.failedQueue);

    fn.addEnvironment('ALERT_STATE_TABLE_NAME', props.alertStateTable.tableName);
    props.alertStateTable.grant(fn, 'dynamodb:UpdateItem');

    // The model must be in the bucket before the function that reads it is updated.
    fn.node.addDependency(props.modelStore.deployment);
  }
}
