// The outcome Lambda: EventBridge `DonorRequestOutcome` event in, prediction-log entry in DynamoDB
// out. AWS glue only; the logic lives in record-request-outcome.ts.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { IncomingEvent } from '../score-donor/score-donor-update';
import { DynamoDbPredictionLog, DynamoDbScoreLookup, SqsRejectedOutcomeSink } from './aws-ports';
import { readOutcomeConfig } from './config';
import { recordRequestOutcome, type OutcomeDeps, type OutcomeResult } from './record-request-outcome';

const config = readOutcomeConfig();
const logger = new Logger({ serviceName: 'record-outcome', persistentKeys: { stage: config.stage } });
const metrics = new Metrics({ namespace: 'DonorReadiness', serviceName: 'record-outcome', defaultDimensions: { stage: config.stage } });
const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
const dynamodb = new DynamoDBClient({});

const deps: OutcomeDeps = {
  scores: new DynamoDbScoreLookup(dynamodb, config.scoreTableName),
  log: new DynamoDbPredictionLog(dynamodb, config.outcomeTableName),
  rejected: new SqsRejectedOutcomeSink(sqs, config.rejectedQueueUrl),
  logger,
  now: () => new Date(),
};

const METRIC = { recorded: 'OutcomesRecorded', duplicate: 'OutcomesDuplicate', rejected: 'OutcomesRejected' } as const;

export async function handler(event: IncomingEvent): Promise<OutcomeResult> {
  try {
    const result = await recordRequestOutcome(event, deps);
    metrics.addMetric(METRIC[result.outcome], MetricUnit.Count, 1);
    return result;
  } catch (error) {
    metrics.addMetric('OutcomesFailed', MetricUnit.Count, 1);
    logger.error('outcome could not be recorded: Lambda retries the event, then keeps it in the failed-outcome queue', {
      eventId: typeof event?.id === 'string' ? event.id : null,
      error: `${(error as Error).name}: ${(error as Error).message}`,
    });
    throw error;
  } finally {
    metrics.publishStoredMetrics();
  }
}
