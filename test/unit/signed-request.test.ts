// The signed requests' credentials (signed-request.ts) are read from the environment as the SDK's
// own fromEnv reads them: the same credentials for every combination of the variables it reads,
// and the same error name (which the sender turns into "no credentials in the environment") when
// there are none.
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { streamCollector } from '@smithy/core/serde';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { collectBody, environmentCredentials, signedSender } from '../../lambdas/score-donor/signed-request';

const VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION', 'AWS_CREDENTIAL_SCOPE', 'AWS_ACCOUNT_ID'] as const;
const VALUES: Record<(typeof VARIABLES)[number], string[]> = {
  AWS_ACCESS_KEY_ID: ['AKIDEXAMPLE', ''],
  AWS_SECRET_ACCESS_KEY: ['wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', ''],
  AWS_SESSION_TOKEN: ['session-token', ''],
  AWS_CREDENTIAL_EXPIRATION: ['2026-11-26T18:00:00Z', ''],
  AWS_CREDENTIAL_SCOPE: ['eu-central-1', ''],
  AWS_ACCOUNT_ID: ['123456789012', ''],
};

const saved = { ...process.env };
afterEach(() => {
  for (const k of VARIABLES) delete process.env[k];
  Object.assign(process.env, saved);
});

/** The SDK's credentials without the feature tag it adds for its user-agent header (these requests send none). */
async function sdkAnswer(): Promise<unknown> {
  try {
    const { $source: _source, ...credentials } = (await fromEnv()()) as unknown as Record<string, unknown>;
    return credentials;
  } catch (error) {
    return { error: (error as Error).name };
  }
}
async function ourAnswer(): Promise<unknown> {
  try {
    return await environmentCredentials();
  } catch (error) {
    return { error: (error as Error).name };
  }
}

it('reads the credentials the SDK reads, for each set of the variables (set, empty, absent)', async () => {
  let combinations = 0;
  let found = 0;
  // Every variable absent, empty or set: 3^6 environments.
  for (let code = 0; code < 3 ** VARIABLES.length; code++) {
    let c = code;
    for (const name of VARIABLES) {
      const choice = c % 3;
      c = Math.floor(c / 3);
      if (choice === 2) delete process.env[name];
      else process.env[name] = VALUES[name][choice];
    }
    const expected = await sdkAnswer();
    expect(await ourAnswer()).toEqual(expected);
    combinations++;
    if (!(expected as { error?: string }).error) found++;
  }
  expect(combinations).toBe(729);
  expect(found).toBe(81);
});

it('reads them anew at each call (Lambda may change them between invocations)', async () => {
  process.env.AWS_ACCESS_KEY_ID = 'AKID-ONE';
  process.env.AWS_SECRET_ACCESS_KEY = 'secret-one';
  expect((await environmentCredentials()).accessKeyId).toBe('AKID-ONE');
  process.env.AWS_ACCESS_KEY_ID = 'AKID-TWO';
  expect((await environmentCredentials()).accessKeyId).toBe('AKID-TWO');
  delete process.env.AWS_SECRET_ACCESS_KEY;
  await expect(environmentCredentials()).rejects.toMatchObject({ name: 'CredentialsProviderError' });
});

describe('collectBody (the answer read as the Node stream it is)', () => {
  const chunks = () => [Buffer.from('<Error><Code>'), Buffer.alloc(0), Buffer.from('SlowDown</Code>'), Buffer.from([0xe2, 0x82]), Buffer.from([0xac])];

  it("gives the bytes the SDK's streamCollector gives, in an array of their own", async () => {
    const ours = await collectBody(Readable.from(chunks()));
    const sdk = await streamCollector(Readable.from(chunks()));
    expect(ours).toEqual(sdk);
    expect(Buffer.from(ours).toString('utf8')).toBe('<Error><Code>SlowDown</Code>€');
    expect(ours.byteOffset).toBe(0);
    expect(ours.buffer.byteLength).toBe(ours.byteLength);
    expect(await collectBody(Readable.from([]))).toEqual(new Uint8Array(0));
  });

  it('rejects with the error of the stream (a connection reset mid-answer)', async () => {
    const stream = new PassThrough();
    const collected = collectBody(stream);
    stream.write(Buffer.from('partial'));
    const reset = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    stream.destroy(reset);
    await expect(collected).rejects.toBe(reset);
  });
});

it('abandons a request the service never answers after the request timeout, and retries it', async () => {
  let requests = 0;
  const server = createServer(() => void requests++); // accepts, reads, never answers
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  process.env.AWS_ACCESS_KEY_ID = 'AKID-LOCAL';
  process.env.AWS_SECRET_ACCESS_KEY = 'secret';
  try {
    const sender = signedSender('dynamodb', { env: { AWS_REGION: 'eu-central-1', AWS_MAX_ATTEMPTS: '2' }, requestTimeoutMs: 150 });
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const started = Date.now();
    const sent = sender.send({ method: 'POST', url, body: '{}' }, () => ({ code: 'Unexpected', message: '' }));
    await expect(sent).rejects.toMatchObject({ name: 'TimeoutError', $metadata: { attempts: 2 } });
    expect(requests).toBe(2);
    // Two attempts of 150 ms and one backoff, not Lambda's own timeout.
    expect(Date.now() - started).toBeLessThan(2500);
  } finally {
    server.closeAllConnections();
    await new Promise((closed) => server.close(closed));
  }
});
