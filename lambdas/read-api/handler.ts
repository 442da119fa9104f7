// The read API Lambda behind API Gateway (REST, proxy integration, IAM auth):
// POST /v1/readiness:batchGet. AWS glue only; the logic is read-readiness.ts. Logs carry the
// request id, counts and timings, never a donor id.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { todayIsoDate } from '../core/calendar';
import { DynamoDbScoreReader, loadManifestFromS3, ScoresUnavailableError } from './aws-ports';
import { readApiConfig } from './config';
import { batchGetReadiness, parseBatchGetBody, reasonMeanings, type ReadDeps, type ReasonMeanings } from './read-readiness';
import type { ApiError } from './readiness-contract';

const config = readApiConfig();
const logger = new Logger({ serviceName: 'read-api', persistentKeys: { stage: config.stage } });
const metrics = new Metrics({ namespace: 'DonorReadiness', serviceName: 'read-api', defaultDimensions: { stage: config.stage } });
const s3 = new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL) });
const reader = new DynamoDbScoreReader(new DynamoDBClient({}), config.scoreTableName);

// The manifest is read once per container, beside the first read; a failed load is tried again.
let meanings: Promise<ReasonMeanings> | undefined;
const deps: ReadDeps = {
  reader,
  meanings: () =>
    (meanings ??= loadManifestFromS3(s3, config).then(reasonMeanings, (error: unknown) => {
      meanings = undefined;
      throw error;
    })),
  today: () => todayIsoDate(),
};

const HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

function answer(status: number, body: unknown, extraHeaders: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode: status, headers: { ...HEADERS, ...extraHeaders }, body: JSON.stringify(body) };
}

const error = (requestId: string, message: string, detail: { field?: string; rule?: string } = {}): ApiError => ({ error: { message, ...detail }, requestId });

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const started = performance.now();
  const requestId = event.requestContext?.requestId ?? 'unknown';
  try {
    const parsed = parseBatchGetBody(event.body, event.isBase64Encoded);
    if (!parsed.ok) {
      const { status, field, rule } = parsed.violation;
      logger.info('request refused', { requestId, status, field, rule });
      metrics.addMetric('BadRequests', MetricUnit.Count, 1);
      return answer(status, error(requestId, `${field} ${rule}`, { field, rule }));
    }
    const response = await batchGetReadiness(parsed.request, deps);
    metrics.addMetric('DonorsRequested', MetricUnit.Count, parsed.request.donorIds.length);
    metrics.addMetric('DonorsNotFound', MetricUnit.Count, response.notFound.length);
    logger.info('scores read', { requestId, requested: parsed.request.donorIds.length, found: response.items.length, notFound: response.notFound.length });
    return answer(200, response);
  } catch (caught) {
    const failure = caught as Error;
    if (failure instanceof ScoresUnavailableError) {
      metrics.addMetric('ReadsThrottled', MetricUnit.Count, 1);
      logger.warn('scores unavailable: DynamoDB kept keys unprocessed through every retry', { requestId, error: failure.message });
      return answer(503, error(requestId, 'the score table is busy: retry in a second'), { 'retry-after': '1' });
    }
    metrics.addMetric('ReadErrors', MetricUnit.Count, 1);
    logger.error('scores could not be read', { requestId, error: `${failure.name}: ${failure.message}` });
    return answer(500, error(requestId, 'the scores could not be read: retry later, or quote the requestId to the operators'));
  } finally {
    metrics.addMetric('ReadLatency', MetricUnit.Milliseconds, performance.now() - started);
    metrics.publishStoredMetrics();
  }
}
