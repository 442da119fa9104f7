// One S3 GetObject as a signed HTTPS GET, for the scoring function's cold start. The S3 client
// (with its XML protocol, checksums and S3 endpoint rules) was nearly a quarter of the bundle that every
// cold start compiles, for two reads at init (bench/PROFILE.md, "Cold start"). The parts used here
// are the SDK's own and already in the bundle for DynamoDB: SigV4 signing, the Node HTTP handler,
// the standard retry strategy (backoff with jitter, retry quota) and credentials from the
// environment, where Lambda puts them.
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { Sha256 } from '@smithy/core/checksum';
import { DEFAULT_MAX_ATTEMPTS, StandardRetryStrategy } from '@smithy/core/retry';
import { streamCollector } from '@smithy/core/serde';
import { HttpRequest } from '@smithy/core/transport';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
/** The retry strategy's classes of error that are worth another attempt. */
type RetryErrorType = 'THROTTLING' | 'TRANSIENT';

/** A refusal that no retry changes (missing object or bucket, access denied): S3's error code names it. */
export class S3ObjectRefused extends Error {
  constructor(
    readonly bucket: string,
    readonly key: string,
    readonly code: string,
    readonly status: number,
  ) {
    super(`s3://${bucket}/${key}: ${status} ${code}`);
    this.name = code;
  }
}

export type ObjectGetter = (bucket: string, key: string) => Promise<Uint8Array>;

export interface SignedGetOptions {
  /** Where region, endpoint override and AWS_MAX_ATTEMPTS are read (credentials: process.env, by fromEnv). */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds per attempt before the request is abandoned (and retried). */
  requestTimeoutMs?: number;
  /** Tests: the retry strategy's delays. */
  retryStrategy?: StandardRetryStrategy;
}

const THROTTLING_CODES = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException']);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);

/** S3's error document is `<Error><Code>…</Code><Message>…</Message></Error>`; a HEAD-like reply may have none. */
function errorCode(status: number, body: string): { code: string; message: string } {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? '';
  return { code: code || (status === 404 ? 'NotFound' : status === 403 ? 'Forbidden' : `Http${status}`), message };
}

function retryTypeOf(status: number, code: string): RetryErrorType | undefined {
  if (status === 429 || THROTTLING_CODES.has(code)) return 'THROTTLING';
  if (TRANSIENT_STATUS.has(status) || code === 'RequestTimeout' || code === 'InternalError') return 'TRANSIENT';
  return undefined;
}

/**
 * Where a bucket's objects are addressed. An endpoint override (AWS_ENDPOINT_URL_S3 or
 * AWS_ENDPOINT_URL, as the SDK reads them: local S3-compatible servers) is addressed by path;
 * otherwise the regional virtual-hosted name, or by path for bucket names that are not one DNS label.
 */
export function objectUrl(bucket: string, key: string, region: string, env: NodeJS.ProcessEnv): URL {
  const path = `/${key.split('/').map(encodeURIComponent).join('/')}`;
  const override = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  if (override) {
    const base = new URL(override);
    return new URL(`${base.protocol}//${base.host}${base.pathname.replace(/\/$/, '')}/${encodeURIComponent(bucket)}${path}`);
  }
  const regional = `s3.${region}.amazonaws.com`;
  return /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket) ? new URL(`https://${bucket}.${regional}${path}`) : new URL(`https://${regional}/${bucket}${path}`);
}

/** Returns a GetObject that signs with the environment's credentials and region. */
export function signedObjectGetter(options: SignedGetOptions = {}): ObjectGetter {
  const env = options.env ?? process.env;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const credentials = fromEnv();
  const signer = region ? new SignatureV4({ service: 's3', region, sha256: Sha256, uriEscapePath: false, applyChecksum: true, credentials }) : undefined;
  const http = new NodeHttpHandler({ connectionTimeout: 3000, requestTimeout: options.requestTimeoutMs ?? 5000 });
  const maxAttempts = Number(env.AWS_MAX_ATTEMPTS) > 0 ? Number(env.AWS_MAX_ATTEMPTS) : DEFAULT_MAX_ATTEMPTS;
  const retries = options.retryStrategy ?? new StandardRetryStrategy(maxAttempts);

  return async (bucket, key) => {
    if (!signer) throw new Error(`cannot read s3://${bucket}/${key}: AWS_REGION is not set (Lambda sets it; set it when running the handler elsewhere)`);
    const url = objectUrl(bucket, key, region!, env);
    let token = await retries.acquireInitialRetryToken('s3:GetObject');
    for (let attempt = 1; ; attempt++) {
      let failure: { type: RetryErrorType; error: Error; retryAfter?: Date };
      try {
        const request = new HttpRequest({
          method: 'GET',
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port ? Number(url.port) : undefined,
          path: url.pathname,
          headers: { host: url.host },
        });
        const signed = await signer.sign(request);
        const { response } = await http.handle(signed as HttpRequest);
        const body = await streamCollector(response.body);
        if (response.statusCode === 200) {
          retries.recordSuccess(token);
          return body;
        }
        const { code, message } = errorCode(response.statusCode, Buffer.from(body).toString('utf8'));
        const type = retryTypeOf(response.statusCode, code);
        const error = new S3ObjectRefused(bucket, key, code, response.statusCode);
        if (message) error.message += ` (${message})`;
        if (!type) throw error;
        const retryAfter = Number(response.headers['retry-after']);
        failure = { type, error, ...(retryAfter > 0 ? { retryAfter: new Date(Date.now() + retryAfter * 1000) } : {}) };
      } catch (error) {
        if (error instanceof S3ObjectRefused) throw error;
        if ((error as Error).name === 'CredentialsProviderError') {
          throw new Error(`cannot read s3://${bucket}/${key}: no credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY; Lambda sets them from the function's role)`);
        }
        // Connection refused or reset, timeouts: the network's, worth another attempt.
        failure = { type: 'TRANSIENT', error: error as Error };
      }
      try {
        token = await retries.refreshRetryTokenForRetry(token, { errorType: failure.type, ...(failure.retryAfter ? { retryAfterHint: failure.retryAfter } : {}) });
      } catch {
        const cause = failure.error;
        const error = new Error(
          `s3://${bucket}/${key} could not be read after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${cause.message} (${failure.type === 'THROTTLING' ? 'S3 is throttling' : 'S3 or the network failed'}; the event is retried by Lambda)`,
          { cause },
        );
        error.name = cause.name === 'Error' ? 'S3ReadFailed' : cause.name;
        throw error;
      }
    }
  };
}
