// Builds the local twin of the stack from its synthesized template: tables, queues, topics, buckets
// and the model deployment are created on the local endpoints exactly as the template describes
// them; e-mail subscriptions become a local mailbox queue; the scoring function's environment is
// the template's, resolved to the local resources.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_ACCOUNT, LOCAL_REGION, type LocalEndpoints } from './local-endpoints';
import { resolveString, resolveValue, type LocalIdentity, type ResolveContext, type StackTemplate, type TemplateResource } from './template-resolver';

export interface LocalQueue {
  logicalId: string;
  name: string;
  url: string;
  arn: string;
}

export interface Mailbox {
  topicLogicalId: string;
  topicArn: string;
  emails: string[];
  queueUrl: string;
}

export interface LocalFunction {
  logicalId: string;
  /** `index.handler` -> file `index.js` in the function's asset, export `handler`. */
  handlerFile: string;
  handlerExport: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  retryAttempts: number;
  onFailureQueue?: LocalQueue;
  deadLetterQueue?: LocalQueue;
}

export interface LocalRule {
  logicalId: string;
  eventBusName: string;
  eventPattern: Record<string, unknown>;
  retryAttempts: number;
  maxEventAgeSeconds: number;
  deadLetterQueue?: LocalQueue;
}

export interface LocalPipeline {
  stackName: string;
  region: string;
  account: string;
  identities: Map<string, LocalIdentity>;
  tables: { logicalId: string; name: string }[];
  queues: LocalQueue[];
  mailboxes: Mailbox[];
  buckets: { logicalId: string; name: string }[];
  modelObjects: string[];
  scoreTable: string;
  alertStateTable?: string;
  scoringFunction: LocalFunction;
  /** The function the schedule rule runs every minute (the alert digest). */
  alertDigest?: LocalFunction;
  rule: LocalRule;
  /** The outcome rule and the function that records outcomes in the prediction log (issue 17). */
  outcomes?: { rule: LocalRule; fn: LocalFunction };
  /** The scheduled model monitoring function (issue 17). */
  monitor?: LocalFunction;
  /** Any function of the stack by logical id (the read API's, for the local API front). */
  functionFor: (logicalId: string) => LocalFunction;
}

export interface AwsClients {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  sns: SNSClient;
  s3: S3Client;
}

export function localClients(endpoints: LocalEndpoints): AwsClients {
  const common = { region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  return {
    dynamodb: new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb }),
    sqs: new SQSClient({ ...common, endpoint: endpoints.fauxqs }),
    sns: new SNSClient({ ...common, endpoint: endpoints.fauxqs }),
    s3: new S3Client({ ...common, endpoint: endpoints.fauxqs, forcePathStyle: true }),
  };
}

const byType = (template: StackTemplate, type: string) =>
  Object.entries(template.Resources).filter(([, r]) => r.Type === type) as [string, TemplateResource][];

/** Local physical names: the stack name plus the logical id, as CloudFormation would generate. */
const physicalName = (stackName: string, logicalId: string, max: number) => `${stackName}-${logicalId}`.slice(0, max);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

async function tableExists(dynamodb: DynamoDBClient, name: string): Promise<boolean> {
  try {
    await dynamodb.send(new DescribeTableCommand({ TableName: name }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException || (error as Error).name === 'ResourceNotFoundException') return false;
    throw error;
  }
}

export interface ProvisionOptions {
  template: StackTemplate;
  stackName: string;
  /** The cloud assembly folder: where `asset.<hash>` folders live. */
  assemblyDir: string;
  clients: AwsClients;
}

export async function provisionFromTemplate({ template, stackName, assemblyDir, clients }: ProvisionOptions): Promise<LocalPipeline> {
  const identities = new Map<string, LocalIdentity>();
  const ctx: ResolveContext = { region: LOCAL_REGION, account: LOCAL_ACCOUNT, stackName, resources: identities };
  const arn = (service: string, resource: string) => `arn:aws:${service}:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${resource}`;

  const tables: LocalPipeline['tables'] = [];
  for (const [logicalId, resource] of byType(template, 'AWS::DynamoDB::Table')) {
    const p = resource.Properties ?? {};
    const name = p.TableName ? resolveString(p.TableName, ctx) : physicalName(stackName, logicalId, 255);
    // A kept table (--data-dir) is reused as it is: that is what keeps scores between runs.
    if (!(await tableExists(clients.dynamodb, name))) {
      await clients.dynamodb.send(
        new CreateTableCommand({
          TableName: name,
          KeySchema: p.KeySchema,
          AttributeDefinitions: p.AttributeDefinitions,
          BillingMode: 'PAY_PER_REQUEST',
          ...(p.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes } : {}),
        }),
      );
      // dynalite, like DynamoDB, answers CreateTable while the table is still CREATING; a write
      // before it is ACTIVE fails with ResourceNotFoundException (seen on a loaded machine).
      await waitUntilTableExists({ client: clients.dynamodb, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { TableName: name });
    }
    identities.set(logicalId, { ref: name, attributes: { Arn: arn('dynamodb', `table/${name}`) } });
    tables.push({ logicalId, name });
  }

  const queues: LocalQueue[] = [];
  for (const [logicalId, resource] of byType(template, 'AWS::SQS::Queue')) {
    const p = resource.Properties ?? {};
    const name = p.QueueName ? resolveString(p.QueueName, ctx) : physicalName(stackName, logicalId, 80);
    const attributes: Record<string, string> = {};
    for (const key of ['VisibilityTimeout', 'MessageRetentionPeriod', 'DelaySeconds', 'MaximumMessageSize', 'ReceiveMessageWaitTimeSeconds']) {
      if (p[key] !== undefined) attributes[key] = String(p[key]);
    }
    const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    const attrs = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    const queue = { logicalId, name, url: QueueUrl!, arn: attrs.Attributes!.QueueArn! };
    identities.set(logicalId, { ref: queue.url, attributes: { Arn: queue.arn, QueueName: name, QueueUrl: queue.url } });
    queues.push(queue);
  }

  for (const [logicalId, resource] of byType(template, 'AWS::SNS::Topic')) {
    const p = resource.Properties ?? {};
    const name = p.TopicName ? resolveString(p.TopicName, ctx) : physicalName(stackName, logicalId, 256);
    const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: name }));
    identities.set(logicalId, { ref: TopicArn!, attributes: { TopicArn: TopicArn!, TopicName: name } });
  }

  const buckets: LocalPipeline['buckets'] = [];
  for (const [logicalId, resource] of byType(template, 'AWS::S3::Bucket')) {
    const p = resource.Properties ?? {};
    const name = p.BucketName ? resolveString(p.BucketName, ctx) : physicalName(stackName, logicalId, 63).toLowerCase();
    await clients.s3.send(new CreateBucketCommand({ Bucket: name }));
    identities.set(logicalId, { ref: name, attributes: { Arn: `arn:aws:s3:::${name}`, DomainName: `${name}.s3.amazonaws.com` } });
    buckets.push({ logicalId, name });
  }

  for (const [logicalId, resource] of byType(template, 'AWS::Logs::LogGroup')) {
    const p = resource.Properties ?? {};
    const name = p.LogGroupName ? resolveString(p.LogGroupName, ctx) : `/aws/lambda/${physicalName(stackName, logicalId, 200)}`;
    identities.set(logicalId, { ref: name, attributes: { Arn: arn('logs', `log-group:${name}:*`) } });
  }
  for (const [logicalId, resource] of byType(template, 'AWS::Events::EventBus')) {
    const name = resolveString(resource.Properties?.Name, ctx);
    identities.set(logicalId, { ref: name, attributes: { Arn: arn('events', `event-bus/${name}`), Name: name } });
  }
  // Local endpoints do not encrypt; the key is checked on the template (infra tests).
  for (const [logicalId] of byType(template, 'AWS::KMS::Key')) {
    identities.set(logicalId, { ref: `local-key-${logicalId}`, attributes: { Arn: arn('kms', `key/local-${logicalId}`), KeyId: `local-${logicalId}` } });
  }
  for (const [logicalId] of byType(template, 'AWS::Lambda::Function')) {
    const name = physicalName(stackName, logicalId, 64);
    identities.set(logicalId, { ref: name, attributes: { Arn: arn('lambda', `function:${name}`) } });
  }

  // E-mail subscriptions: one local mailbox queue per topic that has any.
  const emailsByTopic = new Map<string, string[]>();
  for (const [, resource] of byType(template, 'AWS::SNS::Subscription')) {
    const p = resource.Properties ?? {};
    if (p.Protocol !== 'email') continue;
    const topicLogicalId = (p.TopicArn as { Ref: string }).Ref;
    emailsByTopic.set(topicLogicalId, [...(emailsByTopic.get(topicLogicalId) ?? []), resolveString(p.Endpoint, ctx)]);
  }
  const mailboxes: Mailbox[] = [];
  for (const [topicLogicalId, emails] of emailsByTopic) {
    const topicArn = identities.get(topicLogicalId)!.ref;
    const name = physicalName(stackName, `${topicLogicalId}-mailbox`, 80);
    const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: name }));
    const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: Attributes!.QueueArn }));
    mailboxes.push({ topicLogicalId, topicArn, emails, queueUrl: QueueUrl! });
  }

  // The model deployment: the staged asset's files under the destination prefix, as the stack does.
  const modelObjects: string[] = [];
  for (const [, resource] of byType(template, 'Custom::CDKBucketDeployment')) {
    const p = resource.Properties ?? {};
    const bucket = resolveString(p.DestinationBucketName, ctx);
    const prefix = p.DestinationBucketKeyPrefix ? resolveString(p.DestinationBucketKeyPrefix, ctx) : '';
    for (const key of p.SourceObjectKeys as unknown[]) {
      const assetDir = join(assemblyDir, `asset.${resolveString(key, ctx).replace(/\.zip$/, '')}`);
      for (const file of filesUnder(assetDir)) {
        const objectKey = `${prefix}${relative(assetDir, file).split('\\').join('/')}`;
        await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: objectKey, Body: readFileSync(file) }));
        modelObjects.push(`s3://${bucket}/${objectKey}`);
      }
    }
  }

  const queueByArn = (value: unknown) => {
    if (value === undefined) return undefined;
    const resolved = resolveString(value, ctx);
    const queue = queues.find((q) => q.arn === resolved);
    if (!queue) throw new Error(`the template sends to ${resolved}, which is not a queue of this stack`);
    return queue;
  };

  const functionTargetedBy = (target: any) => {
    const targetArn = resolveString(target.Arn, ctx);
    const found = byType(template, 'AWS::Lambda::Function').find(([id]) => identities.get(id)!.attributes.Arn === targetArn);
    if (!found) throw new Error(`a rule targets ${targetArn}, which is not a function of this stack`);
    return found;
  };
  const localFunction = ([functionId, functionResource]: [string, TemplateResource]): LocalFunction => {
    const fp = functionResource.Properties ?? {};
    const invokeConfig = byType(template, 'AWS::Lambda::EventInvokeConfig').find(([, r]) => (r.Properties?.FunctionName as { Ref?: string })?.Ref === functionId)?.[1].Properties ?? {};
    const [handlerFile, handlerExport] = String(fp.Handler).split('.');
    const environment = Object.fromEntries(
      Object.entries((fp.Environment?.Variables ?? {}) as Record<string, unknown>).map(([k, v]) => [k, resolveString(v, ctx)]),
    );
    if (fp.LoggingConfig?.LogGroup) environment.AWS_LAMBDA_LOG_GROUP_NAME = resolveString(fp.LoggingConfig.LogGroup, ctx);
    const codeKey = resolveString(fp.Code?.S3Key, ctx);
    return {
      logicalId: functionId,
      handlerFile: join(assemblyDir, `asset.${codeKey.replace(/\.zip$/, '')}`, `${handlerFile}.js`),
      handlerExport,
      environment,
      timeoutSeconds: Number(fp.Timeout ?? 3),
      retryAttempts: Number(invokeConfig.MaximumRetryAttempts ?? 2),
      onFailureQueue: queueByArn(invokeConfig.DestinationConfig?.OnFailure?.Destination),
      deadLetterQueue: queueByArn(fp.DeadLetterConfig?.TargetArn),
    };
  };

  // The pipeline's function is the one the event-pattern rule targets; a schedule rule runs the digest.
  const rules = byType(template, 'AWS::Events::Rule');
  const targetEnv = ([, r]: [string, TemplateResource]): Record<string, unknown> => {
    const targetArn = resolveString((r.Properties?.Targets as any[])[0].Arn, ctx);
    const found = byType(template, 'AWS::Lambda::Function').find(([id]) => identities.get(id)!.attributes.Arn === targetArn);
    return found?.[1].Properties?.Environment?.Variables ?? {};
  };
  const patternRules = rules.filter(([, r]) => r.Properties?.EventPattern);
  // The scoring rule targets the function that pins a model; the outcome rule (issue 17) the one that writes the prediction log.
  const scoringRules = patternRules.filter((r) => 'MODEL_SHA256' in targetEnv(r));
  if (scoringRules.length !== 1) throw new Error(`expected one EventBridge rule targeting the scoring function in the template, found ${scoringRules.length}`);
  const [ruleId, ruleResource] = scoringRules[0];
  const rp = ruleResource.Properties ?? {};
  const target = (rp.Targets as any[])[0];
  const scoringFunction = localFunction(functionTargetedBy(target));
  const localRule = ([id, resource]: [string, TemplateResource]): LocalRule => {
    const p = resource.Properties ?? {};
    const t = (p.Targets as any[])[0];
    return {
      logicalId: id,
      eventBusName: p.EventBusName ? resolveString(p.EventBusName, ctx) : 'default',
      eventPattern: resolveValue(p.EventPattern, ctx) as Record<string, unknown>,
      retryAttempts: Number(t.RetryPolicy?.MaximumRetryAttempts ?? 185),
      maxEventAgeSeconds: Number(t.RetryPolicy?.MaximumEventAgeInSeconds ?? 86400),
      deadLetterQueue: queueByArn(t.DeadLetterConfig?.Arn),
    };
  };
  const outcomeRuleEntry = patternRules.find((r) => 'OUTCOME_TABLE_NAME' in targetEnv(r));
  const outcomes = outcomeRuleEntry
    ? { rule: localRule(outcomeRuleEntry), fn: localFunction(functionTargetedBy((outcomeRuleEntry[1].Properties!.Targets as any[])[0])) }
    : undefined;
  // The digest's schedule (the monitoring run has schedules of its own, issue 17).
  const scheduleRule = rules.find((r) => r[1].Properties?.ScheduleExpression && 'ALERT_STATE_TABLE_NAME' in targetEnv(r));
  const alertDigest = scheduleRule ? localFunction(functionTargetedBy((scheduleRule[1].Properties!.Targets as any[])[0])) : undefined;
  const monitorRule = rules.find((r) => r[1].Properties?.ScheduleExpression && 'REPORT_BUCKET' in targetEnv(r));
  const monitor = monitorRule ? localFunction(functionTargetedBy((monitorRule[1].Properties!.Targets as any[])[0])) : undefined;
  const tableNamed = (variable: string, fn?: LocalFunction) => fn?.environment[variable];
  const scoreTable = tableNamed('SCORE_TABLE_NAME', scoringFunction);
  if (!scoreTable) throw new Error('the scoring function has no SCORE_TABLE_NAME');
  const rule: LocalRule = {
    logicalId: ruleId,
    eventBusName: rp.EventBusName ? resolveString(rp.EventBusName, ctx) : 'default',
    eventPattern: resolveValue(rp.EventPattern, ctx) as Record<string, unknown>,
    retryAttempts: Number(target.RetryPolicy?.MaximumRetryAttempts ?? 185),
    maxEventAgeSeconds: Number(target.RetryPolicy?.MaximumEventAgeInSeconds ?? 86400),
    deadLetterQueue: queueByArn(target.DeadLetterConfig?.Arn),
  };

  return {
    stackName,
    region: LOCAL_REGION,
    account: LOCAL_ACCOUNT,
    identities,
    tables,
    queues,
    mailboxes,
    buckets,
    modelObjects,
    scoreTable,
    alertStateTable: tableNamed('ALERT_STATE_TABLE_NAME', scoringFunction),
    scoringFunction,
    alertDigest,
    rule,
    outcomes,
    monitor,
    functionFor: (logicalId) => {
      const resource = template.Resources[logicalId];
      if (resource?.Type !== 'AWS::Lambda::Function') throw new Error(`${logicalId} is not a function of this stack`);
      return localFunction([logicalId, resource]);
    },
  };
}
