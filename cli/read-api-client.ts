// A client of the read API: POST /v1/readiness:batchGet in pages of 100 ids, signed with AWS
// Signature Version 4 (service execute-api) in AWS, unsigned on the local twin (which checks no
// signatures). Returns one merged answer: every id in items or notFound, in the order asked.
import aws4 from 'aws4';
import { MAX_IDS_PER_REQUEST, type BatchGetResponse } from '../lambdas/read-api/readiness-contract';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface ReadApiEndpoint {
  /** The stage's base URL: stack output ReadApiUrl, or apiUrl in .drs/twin.json. */
  baseUrl: string;
  /** Present in AWS: requests are signed with them. */
  credentials?: () => Promise<AwsCredentials>;
  region?: string;
}

export class ReadApiError extends Error {
  override readonly name = 'ReadApiError';
  constructor(
    readonly status: number,
    readonly body: { error?: { message?: string; field?: string; rule?: string }; requestId?: string; message?: string },
  ) {
    super(`the read API answered ${status}: ${body.error?.message ?? body.message ?? 'no message'}${body.requestId ? ` (request ${body.requestId})` : ''}`);
  }
}

/** execute-api hosts name their region: <id>.execute-api.<region>.amazonaws.com. */
export function regionOf(url: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(new URL(url).hostname)?.[1];
}

export function batchGetUrl(baseUrl: string): URL {
  return new URL('v1/readiness:batchGet', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
}

async function postPage(endpoint: ReadApiEndpoint, donorIds: string[]): Promise<BatchGetResponse> {
  const url = batchGetUrl(endpoint.baseUrl);
  const body = JSON.stringify({ donorIds });
  let headers: Record<string, string> = { 'content-type': 'application/json' };
  if (endpoint.credentials) {
    const region = endpoint.region ?? regionOf(url.href);
    if (!region) throw new Error(`cannot tell the region of ${url.host}: set AWS_REGION`);
    const signed = aws4.sign({ host: url.host, path: url.pathname, method: 'POST', service: 'execute-api', region, body, headers: { ...headers } }, await endpoint.credentials());
    headers = signed.headers as Record<string, string>;
  }
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ReadApiError(response.status, { message: text.slice(0, 200) || 'an empty answer' });
  }
  if (!response.ok) throw new ReadApiError(response.status, json);
  return json as BatchGetResponse;
}

export async function getReadiness(endpoint: ReadApiEndpoint, donorIds: string[]): Promise<BatchGetResponse> {
  const unique = [...new Set(donorIds)];
  const merged: BatchGetResponse = { items: [], notFound: [] };
  for (let i = 0; i < unique.length; i += MAX_IDS_PER_REQUEST) {
    const page = await postPage(endpoint, unique.slice(i, i + MAX_IDS_PER_REQUEST));
    merged.items.push(...page.items);
    merged.notFound.push(...page.notFound);
  }
  return merged;
}
