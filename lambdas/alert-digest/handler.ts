// The alert digest Lambda, run every minute by an EventBridge schedule: turns the failures the
// scoring function counted into at most one e-mail per failure class per window. AWS glue only.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { AlertWindows } from './alert-windows';
import { readDigestConfig } from './config';
import { sendAlertDigest, type ClassOutcome, type DigestDeps } from './send-alert-digest';

const config = readDigestConfig();
const logger = new Logger({ serviceName: 'alert-digest', persistentKeys: { stage: config.stage } });
const metrics = new Metrics({ namespace: 'DonorReadiness', serviceName: 'alert-digest', defaultDimensions: { stage: config.stage } });
const sns = new SNSClient({});

const deps: DigestDeps = {
  windows: new AlertWindows(new DynamoDBClient({}), config.alertStateTableName),
  publisher: {
    publish: async ({ subject, body }) => {
      await sns.send(new PublishCommand({ TopicArn: config.alertTopicArn, Subject: subject, Message: body }));
    },
  },
  log: logger,
  now: () => new Date(),
  settings: config,
};

export async function handler(): Promise<ClassOutcome[]> {
  const outcomes = await sendAlertDigest(deps);
  for (const o of outcomes) {
    if (o.outcome === 'sent') metrics.addMetric('AlertsSent', MetricUnit.Count, 1);
    if (o.outcome === 'publish-failed') metrics.addMetric('AlertPublishFailed', MetricUnit.Count, 1);
  }
  // Most runs send nothing: publishing an empty set only makes Powertools warn in the log.
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  return outcomes;
}
