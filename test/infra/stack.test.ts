// What the synthesized template promises, checked with Template.fromStack on the real CDK app.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { ModelManifest } from '../../lambdas/core/model-manifest';
import { buildInFileAssembly } from './file-assembly';

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'model', 'manifest.json'), 'utf8')) as ModelManifest;

function synth(context: Record<string, string>) {
  const { app, stack } = buildInFileAssembly(context);
  const template = Template.fromStack(stack);
  return { app, stack, template, assemblyDir: app.synth().directory };
}

const logicalIdOf = (template: Template, type: string, pathPrefix: string) => {
  const found = Object.entries(template.findResources(type)).filter(([id]) => id.startsWith(pathPrefix));
  if (found.length !== 1) throw new Error(`expected one ${type} under ${pathPrefix}, found ${found.length}`);
  return found[0][0];
};

const prod = synth({ stage: 'prod', alertEmails: 'team@example.org, oncall@example.org' });
const { template } = prod;
// One dev synth (no alert addresses, a custom alert window) serves every dev-only check.
const dev = synth({ stage: 'dev', alertWindowMinutes: '60' });
const vpcTemplate = synth({ stage: 'dev', vpc: 'true' }).template;
// Another stage on the default bus, with both reservations and arm64.
const armtest = synth({
  stage: 'armtest',
  alertEmails: 'team@example.org',
  architecture: 'arm64',
  eventBusName: 'default',
  eventSource: 'org.registry',
  detailType: 'DonorChanged',
  reservedConcurrency: '20',
  alertDigestReservedConcurrency: '1',
});
const scoringFunctionId = logicalIdOf(template, 'AWS::Lambda::Function', 'ScoringFunction');
const scoringFunction = template.toJSON().Resources[scoringFunctionId];
const id = {
  table: logicalIdOf(template, 'AWS::DynamoDB::Table', 'ScoreStore'),
  bucket: logicalIdOf(template, 'AWS::S3::Bucket', 'ModelStoreBucket'),
  topic: logicalIdOf(template, 'AWS::SNS::Topic', 'Alerting'),
  key: logicalIdOf(template, 'AWS::KMS::Key', 'DataKey'),
  rejected: logicalIdOf(template, 'AWS::SQS::Queue', 'ScoringFunctionRejectedEvents'),
  failed: logicalIdOf(template, 'AWS::SQS::Queue', 'ScoringFunctionFailedScoring'),
  deadLetters: logicalIdOf(template, 'AWS::SQS::Queue', 'ScoringFunctionDeadLetters'),
  undelivered: logicalIdOf(template, 'AWS::SQS::Queue', 'EventIntakeUndelivered'),
  changeUndelivered: logicalIdOf(template, 'AWS::SQS::Queue', 'ReadinessChangeEventsUndelivered'),
  logGroup: logicalIdOf(template, 'AWS::Logs::LogGroup', 'ScoringFunction'),
  alertState: logicalIdOf(template, 'AWS::DynamoDB::Table', 'AlertingAlertState'),
  digest: logicalIdOf(template, 'AWS::Lambda::Function', 'AlertDigest'),
  digestLogGroup: logicalIdOf(template, 'AWS::Logs::LogGroup', 'AlertDigest'),
};
const keyArn = { 'Fn::GetAtt': [id.key, 'Arn'] };

/** The function's code asset as staged in the cloud assembly (what cdk deploy uploads). */
function functionAssetDir(assemblyDir: string, fn: any): string {
  return join(assemblyDir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
}
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? filesUnder(join(dir, name)) : [join(dir, name)]));
}

describe('scoring function', () => {
  it('runs nodejs22.x with explicit memory, timeout and log group', () => {
    expect(scoringFunction.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['x86_64'],
      MemorySize: 512,
      Timeout: 30,
      LoggingConfig: { LogGroup: { Ref: id.logGroup } },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90, KmsKeyId: keyArn });
  });

  it('reserves no concurrency by default (a new account\'s quota of 10 refuses any), and what the settings ask for otherwise', () => {
    // Every function of the stack, not only the first two: the read API, outcome, monitoring and registry functions too.
    const all = Object.entries(template.findResources('AWS::Lambda::Function')) as [string, any][];
    expect(all.length).toBeGreaterThanOrEqual(6);
    expect(all.filter(([, f]) => f.Properties.ReservedConcurrentExecutions !== undefined).map(([fid]) => fid)).toEqual([]);
    const functions = Object.entries(armtest.template.findResources('AWS::Lambda::Function')) as [string, any][];
    const reserved = (prefix: string) => functions.find(([fid]) => fid.startsWith(prefix))![1].Properties.ReservedConcurrentExecutions;
    expect([reserved('ScoringFunction'), reserved('AlertDigest')]).toEqual([20, 1]);
  });

  it("names a handler that the bundled asset really exports", () => {
    const [file, exportName] = String(scoringFunction.Properties.Handler).split('.');
    const bundle = readFileSync(join(functionAssetDir(prod.assemblyDir, scoringFunction), `${file}.js`), 'utf8');
    expect(exportName).toBe('handler');
    // esbuild's CommonJS output declares exports by name: `__export(x, { handler: () => ... })`.
    expect(bundle).toMatch(new RegExp(`\\b${exportName}:\\(\\)=>`));
  });

  it('bundles for a short cold start: no S3 or DynamoDB client, no SSO/STS credential chain, no zod, no source map', () => {
    const dir = functionAssetDir(prod.assemblyDir, scoringFunction);
    const bundle = readFileSync(join(dir, 'index.js'), 'utf8');
    // Service ids as the SDK clients declare them. The score's PutItem is a signed request of our
    // own (its X-Amz-Target is in the bundle); the DynamoDB client's schemas are not.
    expect(bundle).toContain('DynamoDB_20120810.PutItem');
    expect(bundle).not.toContain('com.amazonaws.dynamodb');
    expect(bundle).not.toContain('DescribeEndpoints');
    expect(bundle).not.toContain('AmazonS3');
    expect(bundle).not.toContain('AWSSecurityTokenServiceV20110615');
    expect(bundle).not.toContain('SWBPortalService');
    // The SQS client (failure path) is a file of its own, required at the first send.
    expect(bundle).not.toContain('AmazonSQS');
    expect(bundle).toContain('require("./sqs-client")');
    const sqsClient = readFileSync(join(dir, 'sqs-client.js'), 'utf8');
    expect(sqsClient).toContain('AmazonSQS');
    expect(sqsClient).not.toContain('AWSSecurityTokenServiceV20110615');
    // So is the DynamoDB client of the alert counts (failure path), required at the first failure.
    expect(bundle).toContain('require("./alert-recorder")');
    const alertRecorder = readFileSync(join(dir, 'alert-recorder.js'), 'utf8');
    expect(alertRecorder).toContain('com.amazonaws.dynamodb');
    expect(alertRecorder).not.toContain('AWSSecurityTokenServiceV20110615');
    // zod and the contract's schema too: a valid detail is read by the byte scanner, the schema is
    // required at the first detail the scanner does not read (a rejected event, most often).
    expect(bundle).not.toContain('ZodMiniObject');
    expect(bundle).toContain('require("./detail-schema")');
    const detailSchema = readFileSync(join(dir, 'detail-schema.js'), 'utf8');
    expect(detailSchema).toContain('ZodMiniObject');
    expect(detailSchema).toContain('must be an RFC 3339 timestamp');
    expect(bundle).not.toContain('AWSSSOOIDCService');
    // The SDK's event streams are external only so that esbuild does not wrap @smithy/core in lazy
    // initialisers (its __esm helper, minified `e=t(t=0)`): there are none, and nothing in the
    // bundle requires the event streams (it would fail in Lambda).
    expect(bundle).not.toMatch(/\b\w=\w\(\w=0\)/);
    expect(bundle).not.toContain('@smithy/core/event-streams');
    // Source maps cost a cold start only when Node is told to use them (--enable-source-maps).
    expect(bundle).not.toContain('sourceMappingURL');
    expect(existsSync(join(dir, 'index.js.map'))).toBe(false);
    expect(String(scoringFunction.Properties.Environment.Variables.NODE_OPTIONS ?? '')).not.toMatch(/source-maps/);
  });

  it('points every environment variable at the right resource', () => {
    expect(scoringFunction.Properties.Environment.Variables).toEqual({
      STAGE: 'prod',
      POWERTOOLS_SERVICE_NAME: 'score-donor',
      POWERTOOLS_METRICS_NAMESPACE: 'DonorReadiness',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      SCORE_TABLE_NAME: { Ref: id.table },
      MODEL_BUCKET: { Ref: id.bucket },
      MODEL_PREFIX: `models/${manifest.onnx.sha256}/`,
      MODEL_SHA256: manifest.onnx.sha256,
      MODEL_FILE: manifest.onnx.file,
      REJECTED_QUEUE_URL: { Ref: id.rejected },
      // The function keeps there itself an event Lambda's destination could not (characters SQS refuses).
      FAILED_QUEUE_URL: { Ref: id.failed },
      ALERT_STATE_TABLE_NAME: { Ref: id.alertState },
    });
  });

  it("retries asynchronous invocations twice, then keeps the event in its on-failure queue and dead-letter queue", () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: scoringFunctionId },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [id.failed, 'Arn'] } } },
    });
    expect(scoringFunction.Properties.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [id.deadLetters, 'Arn'] } });
  });
});

describe('permissions', () => {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as any[];
  const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);

  it('names specific resources in every IAM statement', () => {
    expect(statements.length).toBeGreaterThan(0);
    // The one exception: cloudwatch:GetMetricData (the monitoring run reads the scoring metrics) has no
    // resource-level permission at all, so AWS accepts only '*'; one read-only action, one statement.
    const noResourceLevel = statements.filter((x) => x.Action === 'cloudwatch:GetMetricData');
    expect(noResourceLevel).toEqual([{ Action: 'cloudwatch:GetMetricData', Effect: 'Allow', Resource: '*' }]);
    for (const statement of statements.filter((x) => !noResourceLevel.includes(x))) {
      const resources = [statement.Resource].flat();
      for (const resource of resources) {
        expect(JSON.stringify(resource)).not.toMatch(/^"\*"$|:\*"?$/);
      }
    }
  });

  it('gives the scoring function exactly what it uses, each on its resource', () => {
    const functionPolicy = Object.entries(template.findResources('AWS::IAM::Policy')).find(([pid]) => pid.startsWith('ScoringFunctionRole'))![1] as any;
    const byAction = (action: string) =>
      functionPolicy.Properties.PolicyDocument.Statement.filter((s: any) => [s.Action].flat().includes(action)).flatMap((s: any) => [s.Resource].flat());
    const actions = functionPolicy.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat());
    expect(byAction('dynamodb:PutItem')).toEqual([{ 'Fn::GetAtt': [id.table, 'Arn'] }]);
    expect(byAction('dynamodb:UpdateItem')).toEqual([{ 'Fn::GetAtt': [id.alertState, 'Arn'] }]);
    // Alerts are e-mailed by the digest function: scoring cannot publish, so it cannot flood.
    expect(byAction('sns:Publish')).toEqual([]);
    expect(byAction('sqs:SendMessage')).toEqual(
      expect.arrayContaining([{ 'Fn::GetAtt': [id.rejected, 'Arn'] }, { 'Fn::GetAtt': [id.failed, 'Arn'] }, { 'Fn::GetAtt': [id.deadLetters, 'Arn'] }]),
    );
    // Exactly the pinned model's two objects; no listing, no other key.
    expect(byAction('s3:GetObject')).toEqual(
      [manifest.onnx.file, 'manifest.json'].map((file) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [id.bucket, 'Arn'] }, `/models/${manifest.onnx.sha256}/${file}`]] })),
    );
    expect(actions.filter((a: string) => a.includes('*'))).toEqual([]);
    expect(new Set(byAction('kms:Decrypt').map((r: unknown) => JSON.stringify(r)))).toEqual(new Set([JSON.stringify(keyArn)]));
    expect(byAction('logs:PutLogEvents')).toEqual([{ 'Fn::GetAtt': [id.logGroup, 'Arn'] }]);
    const role = Object.entries(template.findResources('AWS::IAM::Role')).find(([rid]) => rid.startsWith('ScoringFunctionRole'))![1] as any;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(actions).not.toContain('dynamodb:DeleteItem');
    expect(actions).not.toContain('s3:PutObject');
  });

  it('gives the alert digest only the alert state and the topic', () => {
    const digestPolicy = Object.entries(template.findResources('AWS::IAM::Policy')).find(([pid]) => pid.startsWith('AlertDigestRole'))![1] as any;
    const digestStatements = digestPolicy.Properties.PolicyDocument.Statement;
    const byAction = (action: string) => digestStatements.filter((s: any) => [s.Action].flat().includes(action)).flatMap((s: any) => [s.Resource].flat());
    expect(byAction('dynamodb:UpdateItem')).toEqual([{ 'Fn::GetAtt': [id.alertState, 'Arn'] }]);
    expect(byAction('dynamodb:GetItem')).toEqual([{ 'Fn::GetAtt': [id.alertState, 'Arn'] }]);
    expect(byAction('sns:Publish')).toEqual([{ Ref: id.topic }]);
    expect(byAction('logs:PutLogEvents')).toEqual([{ 'Fn::GetAtt': [id.digestLogGroup, 'Arn'] }]);
    const actions = new Set(digestStatements.flatMap((s: any) => [s.Action].flat()));
    expect([...actions].filter((a) => String(a).startsWith('sqs:') || String(a).startsWith('s3:'))).toEqual([]);
  });

  it('lets CloudWatch and EventBridge use the key (encrypted topic and queues), from this account only', () => {
    const keyPolicy = template.toJSON().Resources[id.key].Properties.KeyPolicy.Statement;
    for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com']) {
      const granted = keyPolicy.filter((st: any) => [st.Principal?.Service].flat().includes(service));
      expect(granted).toContainEqual(
        expect.objectContaining({
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        }),
      );
      // Every grant that can use the key is scoped by a condition (source account or encryption context);
      // only reading key metadata (kms:DescribeKey, added by CDK for the archive) is not.
      for (const statement of granted.filter((st: any) => st.Action !== 'kms:DescribeKey')) expect(statement.Condition).toBeDefined();
    }
  });
});

describe('event intake', () => {
  it('matches DonorUpdated from the registry on the created donor-events bus', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'donor-events' });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: logicalIdOf(template, 'AWS::Events::EventBus', 'EventIntake') },
      EventPattern: { source: ['registry.donors'], 'detail-type': ['DonorUpdated'] },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [scoringFunctionId, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [id.undelivered, 'Arn'] } },
        }),
      ],
    });
  });

  it('attaches to an existing bus and uses the configured source and detail-type', () => {
    const attached = armtest.template;
    attached.resourceCountIs('AWS::Events::EventBus', 0);
    attached.hasResourceProperties('AWS::Events::Rule', {
      Name: 'donor-readiness-armtest-donor-updated',
      EventBusName: 'default',
      EventPattern: { source: ['org.registry'], 'detail-type': ['DonorChanged'] },
    });
  });
});

describe('encryption and retention', () => {
  it('encrypts the score table with the customer-managed key, on demand, with point-in-time recovery, retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: 'donorId', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('destroys the table with the stack only when stage=dev', () => {
    dev.template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });

  it('retains the archive and every kept-event queue outside dev, deletes them in dev', () => {
    const policies = (t: Template, type: string) => Object.values(t.findResources(type)).map((r: any) => [r.DeletionPolicy, r.UpdateReplacePolicy]);
    for (const type of ['AWS::SQS::Queue', 'AWS::Events::Archive']) {
      expect(policies(template, type).length).toBeGreaterThan(0);
      for (const p of policies(template, type)) expect(p).toEqual(['Retain', 'Retain']);
      for (const p of policies(dev.template, type)) expect(p).toEqual(['Delete', 'Delete']);
    }
  });

  it('keeps nothing encrypted with the stack key after the key is gone: in dev, what uses the key is deleted with it', () => {
    const resources = dev.template.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>;
    const [keyId] = Object.entries(resources).find(([, r]) => r.Type === 'AWS::KMS::Key')!;
    expect(resources[keyId].DeletionPolicy).toBe('Delete');
    const kept = Object.entries(resources)
      .filter(([, r]) => r.DeletionPolicy === 'Retain' && JSON.stringify(r).includes(`"${keyId}"`))
      .map(([logicalId, r]) => `${r.Type} ${logicalId}`);
    expect(kept).toEqual([]);
  });

  it('keeps the model in a versioned, KMS-encrypted, private, TLS-only bucket under its hash', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } })] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: { Ref: id.bucket },
      DestinationBucketKeyPrefix: `models/${manifest.onnx.sha256}/`,
      Prune: false,
    });
  });

  it('encrypts every queue with the key, keeps messages 14 days and denies non-TLS access', () => {
    const queues = template.findResources('AWS::SQS::Queue');
    const outcomeQueues = ['OutcomeLogRejectedOutcomes', 'OutcomeLogFailedOutcomes', 'OutcomeLogDeadLetterQueue', 'OutcomeLogUndelivered'].map((prefix) => logicalIdOf(template, 'AWS::SQS::Queue', prefix)); // issue 17
    expect(Object.keys(queues).sort()).toEqual([id.deadLetters, id.failed, id.rejected, id.undelivered, id.changeUndelivered, ...outcomeQueues].sort());
    for (const queue of Object.values(queues) as any[]) {
      expect(queue.Properties).toMatchObject({ KmsMasterKeyId: keyArn, MessageRetentionPeriod: 1_209_600 });
    }
    const queuePolicies = Object.values(template.findResources('AWS::SQS::QueuePolicy')) as any[];
    expect(queuePolicies).toHaveLength(9); // one per queue: the scoring path's four, the change events' one, the outcome log's four (issue 17)
    for (const policy of queuePolicies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('encrypts the alert topic with the key and denies non-TLS publishing', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: keyArn });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });
});

describe('alerting', () => {
  it('subscribes exactly the configured e-mail addresses', () => {
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription')) as any[];
    expect(subscriptions.map((s) => [s.Properties.Protocol, s.Properties.Endpoint, s.Properties.TopicArn])).toEqual([
      ['email', 'team@example.org', { Ref: id.topic }],
      ['email', 'oncall@example.org', { Ref: id.topic }],
    ]);
  });

  it('warns at synth when nobody would receive alerts', () => {
    const none = dev;
    none.template.resourceCountIs('AWS::SNS::Subscription', 0);
    Annotations.fromStack(none.stack).hasWarning('*', Match.stringLikeRegexp('No alert e-mail addresses'));
  });

  it('alarms to the topic, and tells it of recovery, when any queue holds a message', () => {
    for (const queueId of [id.rejected, id.failed, id.deadLetters, id.undelivered]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: id.topic }],
        OKActions: [{ Ref: id.topic }],
      });
    }
  });
});

describe('the function asset', () => {
  const assetFiles = (stack: ReturnType<typeof synth>) => {
    const fn = Object.entries(stack.template.findResources('AWS::Lambda::Function')).find(([fid]) => fid.startsWith('ScoringFunction'))![1];
    const dir = functionAssetDir(stack.assemblyDir, fn);
    return { dir, files: filesUnder(dir).map((f) => relative(dir, f)), bytes: filesUnder(dir).reduce((s, f) => s + statSync(f).size, 0) };
  };

  it('holds the handler and only the linux x64 ONNX runtime, under 80 MB', () => {
    const { files, bytes, dir } = assetFiles(prod);
    expect(files).toContain('index.js');
    expect(files).toEqual(
      expect.arrayContaining([
        'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
        'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
        'node_modules/onnxruntime-node/dist/index.js',
        'node_modules/onnxruntime-common/package.json',
      ]),
    );
    const binaries = files.filter((f) => /\.(node|so(\.\d+)*|dylib|dll)$/.test(f));
    expect(binaries.every((f) => f.includes('/linux/x64/'))).toBe(true);
    expect(existsSync(join(dir, 'node_modules/onnxruntime-node/bin/napi-v6/darwin'))).toBe(false);
    expect(bytes).toBeLessThan(80 * 1024 * 1024);
  });

  it('ships the arm64 binaries instead when architecture=arm64', () => {
    const arm = armtest;
    const { files } = assetFiles(arm);
    const binaries = files.filter((f) => /\.(node|so(\.\d+)*)$/.test(f));
    expect(binaries.sort()).toEqual([
      'node_modules/onnxruntime-node/bin/napi-v6/linux/arm64/libonnxruntime.so.1',
      'node_modules/onnxruntime-node/bin/napi-v6/linux/arm64/onnxruntime_binding.node',
    ]);
    arm.template.hasResourceProperties('AWS::Lambda::Function', { Architectures: ['arm64'], Runtime: 'nodejs22.x' });
  });
});

describe('monitoring and replay', () => {
  const alarmOn = (namespace: string, metricName: string) =>
    template.hasResourceProperties('AWS::CloudWatch::Alarm', Match.objectLike({ Namespace: namespace, MetricName: metricName, AlarmActions: [{ Ref: id.topic }], OKActions: [{ Ref: id.topic }] }));

  it('alarms, with OK actions, on function errors, throttles, duration, rule failures and failed deliveries', () => {
    for (const name of ['Errors', 'Throttles', 'DestinationDeliveryFailures', 'DeadLetterErrors']) alarmOn('AWS/Lambda', name);
    for (const name of ['FailedInvocations', 'InvocationsSentToDlq', 'InvocationsFailedToBeSentToDlq']) alarmOn('AWS/Events', name);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', Match.objectLike({ MetricName: 'Duration', Statistic: 'Maximum', Threshold: 24_000 }));
  });

  it('watches the rule under the dimensions EventBridge publishes: EventBusName and the plain RuleName (RuleName alone on the default bus)', () => {
    const ruleAlarms = (t: Template) => (Object.values(t.findResources('AWS::CloudWatch::Alarm')) as any[]).filter((a) => a.Properties.Namespace === 'AWS/Events');
    const busId = logicalIdOf(template, 'AWS::Events::EventBus', 'EventIntake');
    expect(ruleAlarms(template).map((a) => a.Properties.MetricName).sort()).toEqual(['FailedInvocations', 'InvocationsFailedToBeSentToDlq', 'InvocationsSentToDlq']);
    for (const alarm of ruleAlarms(template)) {
      expect(alarm.Properties.Dimensions).toEqual([
        { Name: 'EventBusName', Value: { Ref: busId } },
        { Name: 'RuleName', Value: 'donor-readiness-prod-donor-updated' },
      ]);
    }
    template.hasResourceProperties('AWS::Events::Rule', { Name: 'donor-readiness-prod-donor-updated', EventBusName: { Ref: busId } });
    for (const alarm of ruleAlarms(armtest.template)) expect(alarm.Properties.Dimensions).toEqual([{ Name: 'RuleName', Value: 'donor-readiness-armtest-donor-updated' }]);
  });

  it('tells what to do in each queue alarm: redrive kept events, and not for the change events, which drs redrive cannot take', () => {
    const alarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm')) as [string, any][];
    const description = (prefix: string) => JSON.stringify(alarms.find(([logicalId]) => logicalId.startsWith(prefix))![1].Properties.AlarmDescription);
    for (const prefix of ['RejectedEventsAlarm', 'FailedScoringAlarm', 'DeadLettersAlarm', 'UndeliveredEventsAlarm']) expect(description(`Alerting${prefix}`)).toContain('then redrive the events kept in');
    const change = description('AlertingUndeliveredChangeEventsAlarm');
    expect(change).toContain('re-read the donors concerned through the read API');
    expect(change).toContain('drs redrive does not take these messages');
    expect(change).not.toContain('then redrive');
  });

  it('has a dashboard of the pipeline metrics', () => {
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    for (const metric of ['Scored', 'Rejected', 'Stale', 'Failed', 'ScoringLatency', 'BandHigh', 'BandMedium', 'BandLow']) expect(body).toContain(`\\"${metric}\\"`);
  });

  it('archives DonorUpdated events, encrypted with the key, for replay', () => {
    template.hasResourceProperties('AWS::Events::Archive', {
      EventPattern: { source: ['registry.donors'], 'detail-type': ['DonorUpdated'] },
      RetentionDays: 365,
      KmsKeyIdentifier: Match.anyValue(),
      ArchiveName: 'donor-readiness-prod',
    });
  });
});

describe('names that are true', () => {
  const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;

  it('names every log group under /donor-readiness/<stage>/ and lets CloudWatch Logs use the key there only', () => {
    const names = (t: Template) => (Object.values(t.findResources('AWS::Logs::LogGroup')) as any[]).map((g) => g.Properties.LogGroupName).sort();
    expect(names(template)).toEqual(['/donor-readiness/prod/alert-digest', '/donor-readiness/prod/model-monitoring', '/donor-readiness/prod/outcome-function', '/donor-readiness/prod/read-api', '/donor-readiness/prod/read-api-access', '/donor-readiness/prod/registry-run', '/donor-readiness/prod/scoring-function']);
    expect(names(vpcTemplate)).toEqual(['/donor-readiness/dev/alert-digest', '/donor-readiness/dev/model-monitoring', '/donor-readiness/dev/outcome-function', '/donor-readiness/dev/read-api', '/donor-readiness/dev/read-api-access', '/donor-readiness/dev/registry-run', '/donor-readiness/dev/scoring-function', '/donor-readiness/dev/vpc-flow-logs']);
    const logsGrant = template.toJSON().Resources[id.key].Properties.KeyPolicy.Statement.find((st: any) => JSON.stringify(st.Principal).includes('logs.'));
    expect(JSON.stringify(logsGrant.Condition)).toContain(':log-group:/donor-readiness/prod/*');
  });

  it('outputs every log group, the bus ARN, the key ARN and the archive name', () => {
    expect(outputs.ScoringLogGroup.Value).toEqual({ Ref: id.logGroup });
    expect(outputs.AlertDigestLogGroup.Value).toEqual({ Ref: id.digestLogGroup });
    expect(outputs.EventBusArn.Value).toEqual({ 'Fn::GetAtt': [logicalIdOf(template, 'AWS::Events::EventBus', 'EventIntake'), 'Arn'] });
    expect(outputs.DataKeyArn.Value).toEqual(keyArn);
    expect(outputs.ArchiveName.Value).toEqual({ Ref: logicalIdOf(template, 'AWS::Events::Archive', 'EventArchive') });
    const vpcOutputs = vpcTemplate.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(vpcOutputs.FlowLogGroup.Value).toEqual({ Ref: logicalIdOf(vpcTemplate, 'AWS::Logs::LogGroup', 'NetworkFlowLogs') });
  });

  it('the README names the log groups, outputs and archive as the template does, and replays from the stage\'s own archive', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).not.toContain('/aws/lambda/DonorReadiness-');
    expect(readme).not.toContain('Archives[0]');
    expect(readme).toContain('/donor-readiness/prod/scoring-function');
    expect(readme).toContain('--archive-name donor-readiness-prod');
    for (const output of Object.keys(outputs)) expect(readme).toContain(output);
  });
});

describe('every alarm can reach a person', () => {
  const topicPolicies = (t: Template) => Object.values(t.findResources('AWS::SNS::TopicPolicy')) as any[];

  it('lets CloudWatch publish to the alert topic, from this account, for exactly the stack\'s alarms', () => {
    const alarmIds = Object.keys(template.findResources('AWS::CloudWatch::Alarm')).sort();
    const [policy] = topicPolicies(template);
    expect(policy.Properties.Topics).toEqual([{ Ref: id.topic }]);
    const allow = policy.Properties.PolicyDocument.Statement.filter((st: any) => st.Effect === 'Allow');
    expect(allow).toEqual([
      {
        Sid: 'CloudWatchAlarmsPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: id.topic },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnEquals: { 'aws:SourceArn': expect.any(Array) },
        },
      },
    ]);
    const arns = allow[0].Condition.ArnEquals['aws:SourceArn'].map((a: any) => a['Fn::GetAtt']);
    expect(arns.map(([alarm, attr]: [string, string]) => `${alarm}.${attr}`).sort()).toEqual(alarmIds.map((a) => `${a}.Arn`));
  });

  it.each([
    ['prod', () => template],
    ['dev, vpc', () => vpcTemplate],
  ])('in %s, every alarm action and OK action goes to a topic whose policy admits CloudWatch for that alarm', (_name, get) => {
    const t = get();
    const alarms = Object.entries(t.findResources('AWS::CloudWatch::Alarm')) as [string, any][];
    expect(alarms.length).toBeGreaterThan(10);
    for (const [alarmId, alarm] of alarms) {
      const actions = [...(alarm.Properties.AlarmActions ?? []), ...(alarm.Properties.OKActions ?? [])];
      expect(actions.length).toBeGreaterThan(0);
      for (const action of actions) {
        const policy = topicPolicies(t).find((p) => JSON.stringify(p.Properties.Topics).includes(JSON.stringify(action)));
        expect(policy).toBeDefined();
        const admits = policy.Properties.PolicyDocument.Statement.some(
          (st: any) =>
            st.Effect === 'Allow' &&
            [st.Principal?.Service].flat().includes('cloudwatch.amazonaws.com') &&
            [st.Action].flat().includes('sns:Publish') &&
            JSON.stringify(st.Condition?.ArnEquals?.['aws:SourceArn']).includes(JSON.stringify({ 'Fn::GetAtt': [alarmId, 'Arn'] })),
        );
        expect({ alarmId, admits }).toEqual({ alarmId, admits: true });
      }
    }
  });
});

describe('alert throttling', () => {
  const digest = template.toJSON().Resources[id.digest];

  it('counts failures in an encrypted table whose items expire', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'failureClass', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
    });
  });

  it('runs the digest every minute with the window from context', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [id.digest, 'Arn'] } })],
    });
    expect(digest.Properties).toMatchObject({ Runtime: 'nodejs22.x' });
    expect(digest.Properties.Environment.Variables).toMatchObject({
      ALERT_WINDOW_MINUTES: '15',
      ALERT_STATE_TABLE_NAME: { Ref: id.alertState },
      ALERT_TOPIC_ARN: { Ref: id.topic },
      SCORING_FUNCTION_NAME: { Ref: scoringFunctionId },
      SCORING_LOG_GROUP_NAME: { Ref: id.logGroup },
      REJECTED_QUEUE_NAME: { 'Fn::GetAtt': [id.rejected, 'QueueName'] },
      FAILED_QUEUE_NAME: { 'Fn::GetAtt': [id.failed, 'QueueName'] },
    });
    const custom = dev.template;
    custom.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ ALERT_WINDOW_MINUTES: '60' }) } });
  });

  it('alarms when the digest itself fails', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: id.digest } }],
      AlarmActions: [{ Ref: id.topic }],
      OKActions: [{ Ref: id.topic }],
    });
  });
});

describe('vpc mode', () => {
  const vpc = vpcTemplate;

  it('puts both functions in isolated subnets that reach AWS only through endpoints', () => {
    vpc.resourceCountIs('AWS::EC2::NatGateway', 0);
    vpc.resourceCountIs('AWS::EC2::InternetGateway', 0);
    const endpoints = Object.values(vpc.findResources('AWS::EC2::VPCEndpoint')) as any[];
    const services = endpoints.map((e) => JSON.stringify(e.Properties.ServiceName)).join(' ');
    for (const service of ['dynamodb', 's3', 'sqs', 'sns']) expect(services).toContain(`.${service}`);
    const functions = Object.entries(vpc.findResources('AWS::Lambda::Function')).filter(([fid]) => fid.startsWith('ScoringFunction') || fid.startsWith('AlertDigest'));
    expect(functions).toHaveLength(2);
    for (const [, fn] of functions as [string, any][]) expect(fn.Properties.VpcConfig.SubnetIds.length).toBe(2);
  });

  it('lets the functions manage their network interfaces through AWS\'s ENI policy, with no wildcard statement of ours', () => {
    const roles = Object.entries(vpc.findResources('AWS::IAM::Role')).filter(([rid]) => /^(ScoringFunction|AlertDigest)Role/.test(rid)) as [string, any][];
    expect(roles).toHaveLength(2);
    for (const [, role] of roles) expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain('service-role/AWSLambdaENIManagementAccess');
    const ours = Object.entries(vpc.findResources('AWS::IAM::Policy')).filter(([pid]) => /^(ScoringFunction|AlertDigest)Role/.test(pid)) as [string, any][];
    for (const [, policy] of ours) for (const st of policy.Properties.PolicyDocument.Statement) expect([st.Resource].flat()).not.toContain('*');
  });

  it('is off by default and refuses a value that is not true or false', () => {
    template.resourceCountIs('AWS::EC2::VPC', 0);
    expect(() => synth({ vpc: 'yes' })).toThrow(/-c vpc="yes": must be true or false/);
  });
});

describe('cdk-nag (AwsSolutions and HIPAA Security) at every synth', () => {
  it('passes with every kept finding acknowledged on its resource, with a specific reason', () => {
    // synth() above would have thrown on any unacknowledged finding; the reasons are in the template.
    const acknowledged = Object.entries(template.toJSON().Resources as Record<string, any>).flatMap(([rid, r]) =>
      (r.Metadata?.cdk_nag?.rules_to_suppress ?? []).map((a: { id: string; reason: string }) => ({ resource: rid, ...a })),
    );
    expect(acknowledged.length).toBeGreaterThan(10);
    for (const a of acknowledged) expect(a.reason.length).toBeGreaterThan(40);
    expect(acknowledged).toContainEqual(expect.objectContaining({ resource: id.rejected, id: 'AwsSolutions-SQS3' }));
    // Our own functions keep no wildcard permission: nothing of theirs needs an IAM5 acknowledgement.
    expect(acknowledged.filter((a) => a.id.startsWith('AwsSolutions-IAM5') && /^(ScoringFunction|AlertDigest)/.test(a.resource))).toEqual([]);
  });

  it('fails the synth on a finding nobody acknowledged', () => {
    const { app, stack } = buildInFileAssembly({ stage: 'dev' });
    new (require('aws-cdk-lib/aws-sqs').Queue)(stack, 'Unencrypted', { encryption: require('aws-cdk-lib/aws-sqs').QueueEncryption.UNENCRYPTED });
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4|AwsSolutions-SQS3|HIPAA.Security-SQSQueueSSLRequestsOnly/);
  });

  it('passes in VPC mode and in dev as well', () => {
    // vpcTemplate (dev, vpc=true) and dev were synthesized above: synth throws on any unacknowledged finding.
    expect(vpcTemplate.toJSON().Resources).toBeDefined();
    expect(dev.template.toJSON().Resources).toBeDefined();
  });
});

describe('S3 access logging', () => {
  it('logs every request to the model bucket into a private, TLS-only log bucket', () => {
    const logsId = logicalIdOf(template, 'AWS::S3::Bucket', 'ModelStoreAccessLogs');
    template.hasResourceProperties('AWS::S3::Bucket', { LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'model-bucket/' } });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logsId },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });
});
