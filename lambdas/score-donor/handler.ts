// The scoring Lambda: EventBridge `DonorUpdated` event in, score record in DynamoDB out.
// AWS glue only: configuration, clients and the model are created once per container; the logic
// lives in score-donor-update.ts and lambdas/core/.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ReadinessModel } from '../core/readiness-model';
import { AlertWindows } from '../alert-digest/alert-windows';
import { DynamoDbScoreStore, loadModelFromS3, SqsFailedEventSink, SqsRejectedEventSink } from './aws-ports';
import { readScoringConfig } from './config';
import { signedObjectGetter } from './signed-object-get';
import { scoreDonorUpdate, type IncomingEvent, type ScoringDeps, type ScoringOutcome } from './score-donor-update';

const config = readScoringConfig();
const logger = new Logger({ serviceName: 'score-donor', persistentKeys: { stage: config.stage } });
const metrics = new Metrics({ namespace: 'DonorReadiness', serviceName: 'score-donor', defaultDimensions: { stage: config.stage } });
// The model's two objects are read with signed GETs, not the S3 client: its compile and evaluation
// cost an eighth of every cold start (bench/PROFILE.md). Endpoint overrides are honoured, by path.
const getObject = signedObjectGetter();
const dynamodb = new DynamoDBClient({});

// One model per container; a failed load is forgotten so the next invocation tries again.
let model: Promise<ReadinessModel> | undefined;
function loadModel(): Promise<ReadinessModel> {
  model ??= loadModelFromS3(getObject, config).catch((error: unknown) => {
    model = undefined;
    throw error;
  });
  return model;
}
// Cold start: the model's S3 reads and session start now, while the rest of the container starts
// and the first event is validated; a failure here is forgotten and retried by that event.
loadModel().catch(() => {});

// One SQS client for both sinks, made at the first send. It sends to the configured regional
// endpoint, not the host inside the queue URL (the same in AWS; locally the URL's host is not
// resolvable while AWS_ENDPOINT_URL_SQS is).
let sqs: SQSClient | undefined;
const sqsClient = (sdk: typeof import('./sqs-client')) => (sqs ??= new sdk.SQSClient({ useQueueUrlAsEndpoint: false }));

const alertWindows = new AlertWindows(dynamodb, config.alertStateTableName);

const deps: ScoringDeps = {
  loadModel,
  store: new DynamoDbScoreStore(dynamodb, config.scoreTableName),
  rejected: new SqsRejectedEventSink(sqsClient, config.rejectedQueueUrl),
  ...(config.failedQueueUrl ? { failed: new SqsFailedEventSink(sqsClient, config.failedQueueUrl) } : {}),
  // Failures are counted here and e-mailed, throttled, by the alert digest function.
  alerts: { record: (failure) => alertWindows.record(failure, new Date()) },
  log: logger,
  now: () => new Date(),
};

const OUTCOME_METRIC = { scored: 'Scored', stale: 'Stale', rejected: 'Rejected', 'failed-kept': 'Failed' } as const;
const BAND_METRIC = { high: 'BandHigh', medium: 'BandMedium', low: 'BandLow' } as const;

export async function handler(event: IncomingEvent): Promise<ScoringOutcome> {
  const started = performance.now();
  try {
    const result = await scoreDonorUpdate(event, deps);
    metrics.addMetric(OUTCOME_METRIC[result.outcome], MetricUnit.Count, 1);
    if (result.outcome === 'scored') metrics.addMetric(BAND_METRIC[result.band], MetricUnit.Count, 1);
    return result;
  } catch (error) {
    metrics.addMetric('Failed', MetricUnit.Count, 1);
    logger.error('scoring failed: Lambda retries the event, then moves it to the failed-scoring queue', {
      eventId: typeof event?.id === 'string' ? event.id : null,
      failureClass: 'failed',
      error: `${(error as Error).name}: ${(error as Error).message}`,
    });
    throw error;
  } finally {
    metrics.addMetric('ScoringLatency', MetricUnit.Milliseconds, performance.now() - started);
    metrics.publishStoredMetrics();
  }
}
