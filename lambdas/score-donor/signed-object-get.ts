// One S3 GetObject as a signed HTTPS GET, for the scoring function's cold start. The S3 client
// (with its XML protocol, checksums and S3 endpoint rules) was nearly a quarter of the bundle that every
// cold start compiles, for two reads at init (bench/PROFILE.md, "Cold start"). Signing, HTTP,
// retries and credentials are the SDK's own parts, shared with the score's PutItem (signed-request.ts).
import { AwsServiceError, isRetryable, isThrottled, signedSender, SigningUnavailable, type SignedRequestOptions } from './signed-request';

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

export type SignedGetOptions = SignedRequestOptions;

/** S3's error document is `<Error><Code>…</Code><Message>…</Message></Error>`; a HEAD-like reply may have none. */
function errorCode(status: number, body: string): { code: string; message: string } {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? '';
  return { code: code || (status === 404 ? 'NotFound' : status === 403 ? 'Forbidden' : `Http${status}`), message };
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

/** The S3 refusal as this module names it: `s3://b/k: 404 NoSuchKey (message)`. */
function refusal(bucket: string, key: string, error: AwsServiceError): S3ObjectRefused {
  const refused = new S3ObjectRefused(bucket, key, error.code, error.status);
  if (error.message) refused.message += ` (${error.message})`;
  return refused;
}

/** Returns a GetObject that signs with the environment's credentials and region. */
export function signedObjectGetter(options: SignedGetOptions = {}): ObjectGetter {
  const env = options.env ?? process.env;
  // S3 signs the path as sent (keys are escaped once, in objectUrl).
  const s3 = signedSender('s3', { ...options, signing: { uriEscapePath: false } });

  return async (bucket, key) => {
    try {
      const url = objectUrl(bucket, key, s3.region ?? '', env);
      return (await s3.send({ method: 'GET', url }, errorCode)).body;
    } catch (error) {
      if (error instanceof SigningUnavailable) throw new Error(`cannot read s3://${bucket}/${key}: ${error.message}`);
      // A refusal that no retry changes (missing object, denied access) was not retried.
      if (error instanceof AwsServiceError && !isRetryable(error)) throw refusal(bucket, key, error);
      const attempts = (error as AwsServiceError).$metadata?.attempts ?? 1;
      const cause = error instanceof AwsServiceError ? refusal(bucket, key, error) : (error as Error);
      const throttled = error instanceof AwsServiceError && isThrottled(error);
      const failed = new Error(
        `s3://${bucket}/${key} could not be read after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${cause.message} (${throttled ? 'S3 is throttling' : 'S3 or the network failed'}; the event is retried by Lambda)`,
        { cause },
      );
      failed.name = cause.name === 'Error' ? 'S3ReadFailed' : cause.name;
      throw failed;
    }
  };
}
