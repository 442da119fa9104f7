// The read API's OpenAPI 3 document, generated from the zod schemas the handler validates with
// (readiness-contract.ts). `npm run openapi` writes api/openapi.json; a unit test fails when the
// committed file is not what this code generates.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ApiError, BatchGetRequest, BatchGetResponse, MAX_BODY_BYTES, MAX_IDS_PER_REQUEST, Reason, ReadinessItem } from './readiness-contract';

export const OPENAPI_FILE = join(__dirname, '..', '..', 'api', 'openapi.json');

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string) => ({ 'application/json': { schema: ref(id) } });

export function buildOpenApiDocument(): Record<string, unknown> {
  const registry = z.registry<{ id: string; description?: string }>();
  for (const schema of [BatchGetRequest, BatchGetResponse, ReadinessItem, Reason, ApiError]) registry.add(schema, z.globalRegistry.get(schema) as { id: string });
  const { schemas } = z.toJSONSchema(registry, { target: 'openapi-3.0', uri: (id) => `#/components/schemas/${id}`, io: 'input' });
  // OpenAPI 3.0 schema objects take neither $schema nor $id.
  for (const schema of Object.values(schemas)) {
    delete (schema as Record<string, unknown>).$schema;
    delete (schema as Record<string, unknown>).$id;
  }
  const errorResponse = (description: string) => ({ description, content: json('Error') });
  return {
    openapi: '3.0.3',
    info: {
      title: 'Donor readiness read API',
      version: '1.0.0',
      description:
        'Readiness scores (the probability that a registered stem-cell donor is available when requested) for partner search systems. ' +
        'Every request is signed with AWS Signature Version 4 (service execute-api) by a principal the deployment allows. ' +
        'Responses never carry donor attributes.',
    },
    servers: [{ url: 'https://{apiId}.execute-api.{region}.amazonaws.com/{stage}', variables: { apiId: { default: 'abcdef1234' }, region: { default: 'eu-central-1' }, stage: { default: 'prod' } } }],
    security: [{ sigv4: [] }],
    paths: {
      '/v1/readiness:batchGet': {
        post: {
          operationId: 'batchGetReadiness',
          summary: `Read the latest readiness scores of up to ${MAX_IDS_PER_REQUEST} donors`,
          description:
            'Answers every requested id, in request order: in `items` when it has a score, in `notFound` when it has none. ' +
            'Donor ids travel only in the body, so they never appear in URLs or access logs.',
          requestBody: { required: true, content: json('BatchGetRequest') },
          responses: {
            '200': { description: 'every requested id, in items or in notFound', content: json('BatchGetResponse') },
            '400': errorResponse('the body is not JSON, or breaks a rule: the error names the field (e.g. donorIds[3]) and the rule'),
            '403': errorResponse('the request is not signed, or its signer is not allowed'),
            '413': errorResponse(`the body is larger than ${MAX_BODY_BYTES} bytes`),
            '429': errorResponse('throttled: retry with backoff'),
            '500': errorResponse('the scores could not be read: retry later, quoting requestId if it persists'),
            '503': {
              ...errorResponse('the score table is busy (throttled): retry after the Retry-After header'),
              headers: { 'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } } },
            },
          },
        },
      },
    },
    components: {
      securitySchemes: {
        sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', description: 'AWS Signature Version 4 for service execute-api (x-amazon-apigateway-authtype: awsSigv4)', 'x-amazon-apigateway-authtype': 'awsSigv4' },
      },
      schemas,
    },
  };
}

export const renderOpenApiDocument = () => `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;

if (require.main === module) {
  writeFileSync(OPENAPI_FILE, renderOpenApiDocument());
  process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
}
