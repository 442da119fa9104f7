// Every cdk-nag finding (AwsSolutions and HIPAA Security packs) this stack keeps, each on the one
// construct it concerns, with the reason it is acceptable. Anything not listed here fails synth.
import { Stack, Token, Validations, type CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { DonorReadinessStack } from './donor-readiness-stack';
import { ENI_POLICY } from './function-network';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { ReadApi } from './read-api';

const ack = (scope: IConstruct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });

/** An environment value as cdk-nag prints it: literal when the stack's environment is known, a token name otherwise. */
const known = (value: string, token: string) => (Token.isUnresolved(value) ? token : value);

const RUNTIME_PINNED = 'nodejs22.x is the runtime this project pins and tests against (issue 3, toolchain.md); moving to nodejs24.x is a deliberate upgrade, not a default';
const INLINE_POLICY =
  "this policy belongs to this one role and is created, changed and deleted with it; a customer-managed policy would be a second resource with the same statements and no other user";

/** CDK's own BucketDeployment handler (one per stack): code and policy are CDK's, not ours. */
function acknowledgeBucketDeploymentHandler(stack: Stack, modelBucket: IConstruct): void {
  const handler = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (!handler) return;
  const partition = Token.isUnresolved(stack.region) ? '<AWS::Partition>' : stack.partition;
  const assets = `arn:${partition}:s3:::cdk-hnb659fds-assets-${known(stack.account, '<AWS::AccountId>')}-${known(stack.region, '<AWS::Region>')}/*`;
  const bucketLogicalId = stack.getLogicalId(modelBucket.node.defaultChild as CfnResource);
  const why = 'CDK BucketDeployment handler, run by CloudFormation only at deploy time to copy model/ into the model bucket';
  ack(handler, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', `${why}: CDK attaches the basic execution policy to its own role`);
  for (const action of ['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
    ack(handler, `AwsSolutions-IAM5[Action::${action}]`, `${why}: CDK's grant for copying the staged asset into the model bucket needs ${action}`);
  }
  ack(handler, `AwsSolutions-IAM5[Resource::${assets}]`, `${why}: it reads the staged model asset from the CDK bootstrap bucket`);
  ack(handler, `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/*]`, `${why}: it writes models/<sha256>/ objects in the model bucket`);
  ack(handler, 'AwsSolutions-L1', `${why}: CDK chooses and updates this handler's runtime`);
  ack(handler, 'HIPAA.Security-IAMNoInlinePolicy', `${why}: ${INLINE_POLICY}`);
  ack(handler, 'HIPAA.Security-LambdaConcurrency', `${why}: invoked once per deployment by CloudFormation, never by events`);
  ack(handler, 'HIPAA.Security-LambdaDLQ', `${why}: invoked synchronously by CloudFormation, which reports a failure as a failed deployment`);
  ack(handler, 'HIPAA.Security-LambdaInsideVPC', `${why}: it touches only the model asset (no donor data), through S3's public endpoint over TLS`);
}

export function acknowledgeNagFindings(stack: DonorReadinessStack): void {
  const { scoring, alertDigest, intake, scoreStore, modelStore, network } = stack;

  for (const fn of [scoring.function, alertDigest.function]) ack(fn, 'AwsSolutions-L1', RUNTIME_PINNED);
  for (const role of [scoring.function.role!, alertDigest.function.role!]) ack(role, 'HIPAA.Security-IAMNoInlinePolicy', INLINE_POLICY);
  for (const fn of [scoring.function, alertDigest.function, stack.readApi.function, stack.outcomeLog.function, stack.modelMonitoring.function]) {
    if ((fn.node.defaultChild as CfnFunction).reservedConcurrentExecutions === undefined) {
      ack(fn, 'HIPAA.Security-LambdaConcurrency', 'no reservation by default: a new account\'s concurrency quota (often 10) refuses any, and the stack would roll back; set reservedConcurrency / alertDigestReservedConcurrency / apiReservedConcurrency in config/<stage>.json once the quota allows (README, Concurrency and quotas); the outcome and monitoring functions run rarely (an outcome per request, one run a day)');
    }
  }
  ack(alertDigest.function, 'HIPAA.Security-LambdaDLQ', 'the digest runs on a schedule with no event to keep: a failed run leaves every count pending and the next minute\'s run retries; its errors alarm');
  if (!network) {
    for (const fn of [scoring.function, alertDigest.function]) {
      ack(fn, 'HIPAA.Security-LambdaInsideVPC', 'vpc=false (the default): the function calls only AWS APIs (DynamoDB, SQS, S3, SNS) over TLS with IAM; deploy with -c vpc=true to run it in isolated subnets with VPC endpoints');
    }
  }

  const lastStop = 'this queue is where events end when they cannot be scored (kept 14 days for drs redrive, depth alarmed); a dead-letter queue behind it would move them out of sight of the alarm and the redrive';
  for (const queue of [scoring.rejectedQueue, scoring.failedQueue, intake.undeliveredQueue]) ack(queue, 'AwsSolutions-SQS3', lastStop);

  ack(scoreStore.table, 'HIPAA.Security-DynamoDBInBackupPlan', 'point-in-time recovery (35 days) is on; scores are derived data that the archived DonorUpdated events (365 days) can rebuild by replay');
  ack(stack.alertStateTable, 'HIPAA.Security-DynamoDBInBackupPlan', 'failure counters for alert e-mails only, expiring by TTL; nothing in it is worth restoring');
  ack(modelStore.bucket, 'HIPAA.Security-S3BucketReplicationEnabled', 'model artifacts are committed in git and re-uploaded by cdk deploy; the bucket is versioned, so a lost region loses no model');
  const logs = modelStore.accessLogs;
  ack(logs, 'AwsSolutions-S1', 'this is the access-log bucket itself: logging it into itself would loop');
  ack(logs, 'HIPAA.Security-S3BucketLoggingEnabled', 'this is the access-log bucket itself: logging it into itself would loop');
  ack(logs, 'HIPAA.Security-S3BucketReplicationEnabled', 'access logs of the model bucket (no donor data); kept a year, versioned');
  ack(logs, 'HIPAA.Security-S3DefaultEncryptionKMS', 'S3 server access log delivery writes only to SSE-S3 buckets, not SSE-KMS');

  if (network) {
    for (const role of [scoring.function.role!, alertDigest.function.role!]) {
      ack(role, `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${ENI_POLICY}]`, 'Lambda needs ec2:CreateNetworkInterface, DescribeNetworkInterfaces and DeleteNetworkInterface to attach the function to its subnets; Describe has no resource-level permissions, and this AWS policy grants only these ENI actions');
    }
    ack(network.vpc, 'HIPAA.Security-VPCDefaultSecurityGroupClosed', 'nothing uses the default security group; closing it needs a CDK custom-resource function with ec2:Revoke rights, more surface than it removes');
    ack(network.vpc, 'HIPAA.Security-IAMNoInlinePolicy', `VPC flow-log role: ${INLINE_POLICY}`);
  }
  acknowledgeReadApiFindings(stack.readApi, Boolean(network));
  ack(stack.changeEvents.undeliveredQueue, 'AwsSolutions-SQS3', 'this is the change-event pipes\' dead-letter queue: stream records that could not be put on the bus end here (depth alarmed)');
  ack(stack.changeEvents.role, 'HIPAA.Security-IAMNoInlinePolicy', INLINE_POLICY);
  acknowledgeBucketDeploymentHandler(Stack.of(stack), modelStore.bucket);
  acknowledgeOutcomeLog(stack);
}

/** Issue 17: the outcome function and its prediction log. */
function acknowledgeOutcomeLog(stack: DonorReadinessStack): void {
  const { outcomeLog, network } = stack;
  ack(outcomeLog.function, 'AwsSolutions-L1', RUNTIME_PINNED);
  ack(outcomeLog.function.role!, 'HIPAA.Security-IAMNoInlinePolicy', INLINE_POLICY);
  if (!network) {
    ack(outcomeLog.function, 'HIPAA.Security-LambdaInsideVPC', 'vpc=false (the default): the function calls only AWS APIs (DynamoDB, SQS) over TLS with IAM; deploy with -c vpc=true to run it in isolated subnets with VPC endpoints');
  }
  if (network) {
    ack(outcomeLog.function.role!, `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${ENI_POLICY}]`, 'Lambda needs ec2:CreateNetworkInterface, DescribeNetworkInterfaces and DeleteNetworkInterface to attach the function to its subnets; this AWS policy grants only these ENI actions');
  }
  const lastStop = 'this queue is where outcome events end when they cannot be recorded (kept 14 days, depth alarmed); a dead-letter queue behind it would move them out of sight of the alarm';
  for (const queue of [outcomeLog.rejectedQueue, outcomeLog.failedQueue, outcomeLog.undeliveredQueue]) ack(queue, 'AwsSolutions-SQS3', lastStop);
  const { modelMonitoring } = stack;
  ack(modelMonitoring.function, 'AwsSolutions-L1', RUNTIME_PINNED);
  ack(modelMonitoring.function.role!, 'HIPAA.Security-IAMNoInlinePolicy', INLINE_POLICY);
  ack(modelMonitoring.function, 'HIPAA.Security-LambdaDLQ', 'the monitoring run is scheduled with no event to keep: a failed run alarms (MonitoringRunFailed) and the next day\'s run recomputes everything');
  if (!network) {
    ack(modelMonitoring.function, 'HIPAA.Security-LambdaInsideVPC', 'vpc=false (the default): the function calls only AWS APIs (DynamoDB, S3, SNS) over TLS with IAM; deploy with -c vpc=true to run it in isolated subnets with VPC endpoints');
  } else {
    ack(modelMonitoring.function.role!, `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${ENI_POLICY}]`, 'Lambda needs ec2:CreateNetworkInterface, DescribeNetworkInterfaces and DeleteNetworkInterface to attach the function to its subnets; this AWS policy grants only these ENI actions');
  }
  const reportBucketId = Stack.of(stack).getLogicalId(modelMonitoring.reportBucket.node.defaultChild as CfnResource);
  ack(modelMonitoring.function.role!, `AwsSolutions-IAM5[Resource::<${reportBucketId}.Arn>/reports/*]`, 'the run writes reports/<date>/report.html and figures.json, a new key every day: s3:PutObject only, only under reports/ of its own bucket');
  ack(modelMonitoring.function.role!, 'AwsSolutions-IAM5[Resource::*]', "cloudwatch:GetMetricData only (read-only, one action): it has no resource-level permission and no condition key, so AWS accepts only Resource '*'; the run reads the scoring function's Scored, Stale, Rejected and Failed counts for the rejection and failure rates");
  if (modelMonitoring.snapshotBucket) {
    const runBucketId = Stack.of(stack).getLogicalId(modelMonitoring.snapshotBucket.node.defaultChild as CfnResource);
    ack(modelMonitoring.function.role!, `AwsSolutions-IAM5[Resource::<${runBucketId}.Arn>/snapshots/*]`, "s3:GetObject only, under snapshots/ of the registry run bucket: each daily refresh exports the score table to snapshots/<run id>/, a name known only at run time; the monitoring run reads the latest instead of scanning the table");
  }
  ack(modelMonitoring.reportBucket, 'HIPAA.Security-S3BucketReplicationEnabled', 'monitoring reports are aggregates (no donor rows) that the next daily run recomputes from the tables; the bucket is versioned');
  ack(outcomeLog.table, 'HIPAA.Security-DynamoDBInBackupPlan', 'point-in-time recovery (35 days) is on; outcome events kept in queues can be redriven and the log is idempotent by request id');
}

/** The read API (lib/read-api.ts): why IAM instead of Cognito or WAF, and why no cache or execution logs. */
function acknowledgeReadApiFindings(readApi: ReadApi, inVpc: boolean): void {
  const { api, function: fn } = readApi;
  const stage = api.deploymentStage;
  const method = api.root.resourceForPath('/v1/readiness:batchGet').node.findChild('POST');
  ack(fn, 'AwsSolutions-L1', RUNTIME_PINNED);
  ack(fn.role!, 'HIPAA.Security-IAMNoInlinePolicy', INLINE_POLICY);
  ack(fn, 'HIPAA.Security-LambdaDLQ', 'invoked synchronously by API Gateway: a failure is answered to the caller, there is no event to keep');
  if (inVpc) ack(fn.role!, `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${ENI_POLICY}]`, 'Lambda needs the ENI actions of this AWS policy to attach the function to its subnets; Describe has no resource-level permissions');
  if (!inVpc) ack(fn, 'HIPAA.Security-LambdaInsideVPC', 'vpc=false (the default): the function calls only DynamoDB and S3 over TLS with IAM; deploy with -c vpc=true to run it in isolated subnets');
  ack(method, 'AwsSolutions-COG4', 'callers are partner search systems (machines), not people: they authenticate with IAM (SigV4) and the resource policy names the accounts or roles allowed (-c apiAllowedPrincipals); a Cognito user pool would add a second identity store for the same machines');
  ack(api, 'AwsSolutions-APIG3', 'no public callers: every method needs a SigV4 signature from a principal the resource policy names, and the stage throttles (-c apiRateLimit, apiBurstLimit); a WAF web ACL would cost more than it adds in front of IAM');
  ack(api, 'AwsSolutions-APIG2', 'the function validates the body with the same zod schema that generates api/openapi.json, so every bad request gets one 400 shape with field and rule (locally and on AWS); a gateway model would answer in a second shape');
  const noExecutionLogs = 'access logs are on (encrypted, request id and status, no donor ids); execution logs need an account-wide API Gateway role and can carry request bodies, i.e. donor ids';
  ack(stage, 'AwsSolutions-APIG6', noExecutionLogs);
  ack(stage, 'HIPAA.Security-APIGWExecutionLoggingEnabled', noExecutionLogs);
  ack(stage, 'HIPAA.Security-APIGWCacheEnabledAndEncrypted', 'no cache on purpose: a score changes when the donor is rescored and partners must read the current one; DynamoDB answers 100 ids in milliseconds');
  ack(stage, 'HIPAA.Security-APIGWSSLEnabled', 'the backend is a Lambda proxy integration reached inside AWS; client certificates authenticate HTTP backends only');
}
