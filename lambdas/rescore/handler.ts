// The registry run's batch function, invoked by the state machine's Distributed Map with a batch of
// rows (backfill) or snapshot lines (refresh), and once at the end to summarize the run. The map's
// item reader reads the exports itself (lib/flattened-item-reader.ts): nothing to prepare here.
// AWS glue only: the logic is in rescore-batch.ts and run-summary.ts over lambdas/core/.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ReadinessModel } from '../core/readiness-model';
import { DynamoDbScoreStore, loadModelFromS3 } from '../score-donor/aws-ports';
import { readRescoreConfig } from './config';
import { rescoreBatch, writePacer, type BatchCounts, type BatchEvent } from './rescore-batch';
import { summarizeRun, type RunSummary, type SummarizeRequest } from './run-summary';
import { getJson, parseExportItem, putJson, putRejectedRows, sdkObjectGetter } from './s3-ports';

const config = readRescoreConfig();
const logger = new Logger({ serviceName: 'registry-run', persistentKeys: { stage: config.stage } });
// Rows by outcome per batch and each run's end: the dashboard's "registry runs" row (lib/registry-refresh.ts).
const metrics = new Metrics({ namespace: 'DonorReadiness', serviceName: 'registry-run', defaultDimensions: { stage: config.stage } });
const s3 = new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL) });
const dynamodb = new DynamoDBClient({ maxAttempts: 8 });
const store = new DynamoDbScoreStore(dynamodb, config.scoreTableName);
// One pace per container, across its batches: the map's concurrency x this is the run's write rate.
const pace = writePacer(config.writesPerSecond);

let model: Promise<ReadinessModel> | undefined;
function loadModel(): Promise<ReadinessModel> {
  model ??= loadModelFromS3(sdkObjectGetter(s3), config).catch((error: unknown) => {
    model = undefined;
    throw error;
  });
  return model;
}

export async function handler(event: BatchEvent | { summarize: SummarizeRequest }): Promise<BatchCounts | RunSummary> {
  if ('summarize' in event) {
    const summary = await summarizeRun(event.summarize, {
      getJson: (bucket, key) => getJson(s3, bucket, key),
      putJson: (bucket, key, value) => putJson(s3, bucket, key, value),
      now: () => new Date(),
    });
    // Counts and places only: no donor id or attribute is ever logged.
    logger.info('registry run finished', { run: summary });
    metrics.addMetric('RunRowsFailed', MetricUnit.Count, summary.failed);
    metrics.addMetric('RunSeconds', MetricUnit.Seconds, summary.seconds);
    metrics.publishStoredMetrics();
    return summary;
  }
  const counts = await rescoreBatch(event, {
    loadModel,
    store,
    keepRejected: (runId, name, rows) => putRejectedRows(s3, config.runBucket, runId, name, rows),
    parseSnapshotItem: parseExportItem,
    now: () => new Date(),
    writeConcurrency: config.writeConcurrency,
    pace,
  });
  logger.info('batch scored', { runId: event.BatchInput.runId, mode: event.BatchInput.mode, counts: { ...counts, rejectedByRule: undefined } });
  metrics.addMetric('RunRowsScored', MetricUnit.Count, counts.scored);
  metrics.addMetric('RunRowsUnchanged', MetricUnit.Count, counts.unchanged);
  metrics.addMetric('RunRowsStale', MetricUnit.Count, counts.stale);
  metrics.addMetric('RunRowsRejected', MetricUnit.Count, counts.rejected);
  metrics.publishStoredMetrics();
  return counts;
}
