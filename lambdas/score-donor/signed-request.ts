// One AWS request, signed and retried with the SDK's own parts but without a service client: the
// scoring function's cold start compiled and evaluated the S3 and DynamoDB clients (protocols,
// endpoint rules, middleware stacks) for two GETs and one PutItem (bench/PROFILE.md, "Cold start").
// What is used here is what the clients use: SigV4 signing, the Node HTTP handler, the standard
// retry strategy (backoff with jitter, retry quota, AWS_MAX_ATTEMPTS) and its classification of
// throttling and transient errors, and credentials from the environment, where Lambda puts them.
// The service's own part (address, body, error document) is the caller's: signed-object-get.ts,
// signed-put-item.ts.
import { Sha256 } from '@smithy/core/checksum';
import { DEFAULT_MAX_ATTEMPTS, isThrottlingError, isTransientError, StandardRetryStrategy } from '@smithy/core/retry';
import { HttpRequest } from '@smithy/core/transport';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Readable } from 'node:stream';

/**
 * An error answer of the service, named by its error code (`ThrottlingException`, `NoSuchKey`),
 * with the service's message. `$metadata` as the SDK's errors carry it, so the SDK's classifiers
 * (and anyone reading `httpStatusCode` or `attempts`) see the same.
 */
export class AwsServiceError extends Error {
  readonly $metadata: { httpStatusCode: number; attempts?: number };

  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = code;
    this.$metadata = { httpStatusCode: status };
  }
}

/** What the SDK's standard strategy retries: throttling, 5xx, timeouts, dropped connections. */
export const isRetryable = (error: Error) => isThrottled(error) || isTransientError(error as unknown as Classified);
/** Throttling as the SDK tells it: status 429 or a throttling code (ProvisionedThroughputExceededException, SlowDown…). */
export const isThrottled = (error: Error) => isThrottlingError(error as unknown as Classified);
type Classified = Parameters<typeof isThrottlingError>[0];

/**
 * The credentials Lambda puts in the function's environment from its role, read at each signing as
 * the SDK's `fromEnv` reads them (@aws-sdk/credential-provider-env: the same variables, the same
 * values, a `CredentialsProviderError` when there are none; test/unit/signed-request.test.ts).
 * Not `fromEnv` itself: it imports @aws-sdk/core's client helpers to tag the credentials for a
 * user-agent header these requests never send, and with them 17 KB of endpoint and shared-config
 * code that every cold start compiled and evaluated (bench/PROFILE.md, "Cold start", step 7).
 */
export async function environmentCredentials(): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date; credentialScope?: string; accountId?: string }> {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = process.env;
  const { AWS_CREDENTIAL_EXPIRATION: expiry, AWS_CREDENTIAL_SCOPE: credentialScope, AWS_ACCOUNT_ID: accountId } = process.env;
  if (accessKeyId && secretAccessKey) {
    return {
      accessKeyId,
      secretAccessKey,
      ...(sessionToken && { sessionToken }),
      ...(expiry && { expiration: new Date(expiry) }),
      ...(credentialScope && { credentialScope }),
      ...(accountId && { accountId }),
    };
  }
  const error = new Error('Unable to find environment variable credentials.');
  error.name = 'CredentialsProviderError';
  throw error;
}

/**
 * The answer's bytes, in an array of their own. NodeHttpHandler's body is always a Node stream (the
 * `IncomingMessage`), so this reads it as one; `@smithy/core/serde`'s `streamCollector` first asks
 * whether it is a web `ReadableStream`, and reading that global makes Node load its web streams
 * (~5 M instructions, 1% of a cold start; bench/PROFILE.md, "Cold start", step 8). An error of the
 * stream rejects, as with the collector's pipe.
 */
export function collectBody(stream: Readable): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let length = 0;
    stream.on('data', (chunk: Uint8Array) => {
      chunks.push(chunk);
      length += chunk.byteLength;
    });
    stream.on('error', reject);
    stream.on('end', () => {
      const bytes = new Uint8Array(length);
      let offset = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, offset);
        offset += chunk.byteLength;
      }
      resolve(bytes);
    });
  });
}

/** The environment cannot sign: no region, or no credentials. Not retried. */
export class SigningUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsProviderError';
  }
}

export interface SignedRequestOptions {
  /** Where region, endpoint overrides and AWS_MAX_ATTEMPTS are read (credentials: process.env, by environmentCredentials). */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds per attempt before the request is abandoned (and retried). */
  requestTimeoutMs?: number;
  /** Tests: the retry strategy's delays. */
  retryStrategy?: StandardRetryStrategy;
}

export interface SignedRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers?: Record<string, string>;
  body?: string;
}

export interface SignedResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** Reads the service's error document: its code and message. */
export type ErrorReader = (status: number, body: string, headers: Record<string, string>) => { code: string; message: string };

export interface SignedSender {
  /** The region requests are signed for (AWS_REGION, else AWS_DEFAULT_REGION). */
  readonly region: string | undefined;
  /**
   * Sends `request` until a 2xx answer, retrying what the SDK's standard strategy retries
   * (throttling, 5xx, timeouts, dropped connections) within AWS_MAX_ATTEMPTS. Any other error
   * answer is thrown at once as an AwsServiceError; after the last attempt, the last error is
   * thrown with `$metadata.attempts`.
   */
  send(request: SignedRequest, readError: ErrorReader): Promise<SignedResponse>;
}

export interface SenderDefaults {
  signing?: { uriEscapePath?: boolean };
  /** The service client's defaults when AWS_MAX_ATTEMPTS is not set (DynamoDB's client: 4 attempts, 25 ms base delay). */
  retries?: { maxAttempts: number; baseDelay: number };
}

export function signedSender(service: string, options: SignedRequestOptions & SenderDefaults = {}): SignedSender {
  const env = options.env ?? process.env;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const signer = region ? new SignatureV4({ service, region, sha256: Sha256, uriEscapePath: options.signing?.uriEscapePath ?? true, applyChecksum: true, credentials: environmentCredentials }) : undefined;
  // Without throwOnRequestTimeout the handler only prints a warning (console.warn, not JSON) when
  // the request timeout passes, and the request waits on until Lambda's own timeout.
  const http = new NodeHttpHandler({ connectionTimeout: 3000, requestTimeout: options.requestTimeoutMs ?? 5000, throwOnRequestTimeout: true });
  const maxAttempts = Number(env.AWS_MAX_ATTEMPTS) > 0 ? Number(env.AWS_MAX_ATTEMPTS) : (options.retries?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  const retries = options.retryStrategy ?? new StandardRetryStrategy({ maxAttempts, ...(options.retries ? { baseDelay: options.retries.baseDelay } : {}) });

  async function send({ method, url, headers = {}, body }: SignedRequest, readError: ErrorReader): Promise<SignedResponse> {
    if (!signer) throw new SigningUnavailable('AWS_REGION is not set (Lambda sets it; set it when running the handler elsewhere)');
    let token = await retries.acquireInitialRetryToken(service);
    for (let attempt = 1; ; attempt++) {
      let failure: Error & { $metadata?: { attempts?: number } };
      let retryAfter: Date | undefined;
      try {
        const request = new HttpRequest({
          method,
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port ? Number(url.port) : undefined,
          path: url.pathname,
          headers: { ...headers, host: url.host, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
          ...(body !== undefined ? { body } : {}),
        });
        const signed = await signer.sign(request);
        const { response } = await http.handle(signed as HttpRequest);
        const answer = await collectBody(response.body as Readable);
        if (response.statusCode >= 200 && response.statusCode < 300) {
          retries.recordSuccess(token);
          return { status: response.statusCode, headers: response.headers, body: answer };
        }
        const { code, message } = readError(response.statusCode, Buffer.from(answer).toString('utf8'), response.headers);
        const error = new AwsServiceError(code, message, response.statusCode);
        if (!isRetryable(error)) {
          error.$metadata.attempts = attempt;
          throw error;
        }
        failure = error;
        const seconds = Number(response.headers['retry-after']);
        if (seconds > 0) retryAfter = new Date(Date.now() + seconds * 1000);
      } catch (error) {
        if (error instanceof AwsServiceError) throw error;
        if ((error as Error).name === 'CredentialsProviderError') {
          throw new SigningUnavailable("no credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY; Lambda sets them from the function's role)");
        }
        // Connection refused or reset, timeouts: the network's, worth another attempt.
        failure = error as Error;
      }
      const errorType = failure instanceof AwsServiceError && isThrottled(failure) ? 'THROTTLING' : 'TRANSIENT';
      try {
        token = await retries.refreshRetryTokenForRetry(token, { errorType, ...(retryAfter ? { retryAfterHint: retryAfter } : {}) });
      } catch {
        failure.$metadata = { ...failure.$metadata, attempts: attempt };
        throw failure;
      }
    }
  }

  return { region, send };
}
