// The monitoring Lambda (daily schedule; the weekly schedule passes {"weeklyEmail": true}). AWS glue
// only: the run itself is monitor-model.ts over lambdas/monitoring/.
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { CloudWatchClient, GetMetricDataCommand, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { readMonitorConfig } from './config';
import { runScheduledMonitoring, type MonitorPorts, type MonitorRunResult, type ScoreSource } from './monitor-model';
import { pipelineCountsFrom, pipelineRatesRequest } from './pipeline-rates';
import { chooseDataFiles, latestScoreSnapshot, snapshotItems } from './score-snapshot';

const config = readMonitorConfig();
const logger = new Logger({ serviceName: 'monitor-model', persistentKeys: { stage: config.stage } });
const METRICS_NAMESPACE = 'DonorReadiness';
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'monitor-model', defaultDimensions: { stage: config.stage } });
const s3 = new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL) });
const sns = new SNSClient({});
const dynamodb = new DynamoDBClient({});
const documents = DynamoDBDocumentClient.from(dynamodb);
const cloudwatch = new CloudWatchClient({});

/** How many parallel-scan segments a table is cut into; a sample reads a random subset of them. */
const TOTAL_SEGMENTS = 1000;

async function scanSegment(table: string, segment?: number, totalSegments?: number): Promise<unknown[]> {
  const items: unknown[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, Segment: segment, TotalSegments: totalSegments }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

const ports: MonitorPorts = {
  async manifest() {
    const object = await s3.send(new GetObjectCommand({ Bucket: config.modelBucket, Key: `${config.modelPrefix}manifest.json` }));
    return JSON.parse(await object.Body!.transformToString());
  },
  async scoreRecords(maxRows): Promise<ScoreSource> {
    const now = new Date();
    let why = 'no snapshot bucket configured';
    if (config.snapshotBucket) {
      const found = await latestScoreSnapshot(s3, config.snapshotBucket, config.scoreTableName, now, config.snapshotMaxAgeHours);
      if (found.snapshot) {
        const { snapshot } = found;
        const files = chooseDataFiles(snapshot.files, config.snapshotSampleRows);
        const whole = files.length === snapshot.files.length;
        return {
          items: snapshotItems(s3, snapshot, files),
          kind: 'snapshot',
          asOf: snapshot.exportTime,
          description:
            `the refresh's snapshot of the score table as of ${snapshot.exportTime} (s3://${snapshot.bucket}/${snapshot.summaryKey.replace(/manifest-summary\.json$/, '')}` +
            `${whole ? ', read whole' : `, a random ${files.length} of its ${snapshot.files.length} data files: a uniform sample of about ${config.snapshotSampleRows} donors`})`,
        };
      }
      why = found.reason;
    }
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: config.scoreTableName }));
    const count = Table?.ItemCount ?? 0;
    // ItemCount is refreshed about every six hours; small or new tables are read whole.
    if (count <= maxRows) {
      return { items: await scanSegment(config.scoreTableName), kind: 'table', asOf: now.toISOString(), description: `the score table ${config.scoreTableName}, read whole (${why})` };
    }
    const segments = Math.max(1, Math.ceil((maxRows / count) * TOTAL_SEGMENTS));
    const chosen = new Set<number>();
    while (chosen.size < segments) chosen.add(Math.floor(Math.random() * TOTAL_SEGMENTS));
    const items: unknown[] = [];
    for (const segment of chosen) items.push(...(await scanSegment(config.scoreTableName, segment, TOTAL_SEGMENTS)));
    return { items, kind: 'table sample', asOf: now.toISOString(), description: `a sample of the score table ${config.scoreTableName} (${segments} of ${TOTAL_SEGMENTS} scan segments; ${why})` };
  },
  async pipelineCounts(from, to) {
    const results: MetricDataResult[] = [];
    let token: string | undefined;
    do {
      const page = await cloudwatch.send(new GetMetricDataCommand({ ...pipelineRatesRequest(METRICS_NAMESPACE, config.stage, from, to), NextToken: token }));
      results.push(...(page.MetricDataResults ?? []));
      token = page.NextToken;
    } while (token);
    return pipelineCountsFrom(results);
  },
  predictionLog: () => scanSegment(config.outcomeTableName),
  async putReport(key, body, contentType) {
    await s3.send(new PutObjectCommand({ Bucket: config.reportBucket, Key: key, Body: body, ContentType: contentType }));
    return `s3://${config.reportBucket}/${key}`;
  },
  publishMetrics(values) {
    for (const [name, value] of Object.entries(values)) metrics.addMetric(name, MetricUnit.Count, value);
  },
  async email(subject, body) {
    await sns.send(new PublishCommand({ TopicArn: config.alertTopicArn, Subject: subject.slice(0, 99), Message: body }));
  },
};

export async function handler(event: { weeklyEmail?: boolean } = {}): Promise<MonitorRunResult> {
  try {
    const result = await runScheduledMonitoring(ports, {
      stage: config.stage,
      thresholds: config.thresholds,
      scoreSampleRows: config.scoreSampleRows,
      now: new Date(),
      weekly: event?.weeklyEmail === true,
    });
    if (!result.rates) logger.warn('rejection and failure rates unknown: the scoring metrics could not be read (the report says why); check cloudwatch:GetMetricData on the role');
    logger.info('monitoring run done', { ...result });
    return result;
  } catch (error) {
    logger.error('monitoring run failed: no report today; the next scheduled run tries again', { error: `${(error as Error).name}: ${(error as Error).message}` });
    throw error;
  } finally {
    metrics.publishStoredMetrics();
  }
}
