// `drs scores get ID...`: read scores through the read API, as a partner system would: on AWS
// (the stack of --stage, signed with the caller's AWS credentials) or on the local twin (--twin).
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { stackNameFor } from '../lib/pipeline-app';
import { readTwinSession, sessionFile } from '../twin/twin-session';
import { getReadiness, ReadApiError, type ReadApiEndpoint } from './read-api-client';
import { fail } from './terminal';

export interface ScoresGetOptions {
  stage?: string;
  twin?: string | boolean;
  url?: string;
  json: boolean;
}

async function stackApiUrl(stage: string): Promise<string> {
  const stackName = stackNameFor(stage);
  const { Stacks } = await new CloudFormationClient({}).send(new DescribeStacksCommand({ StackName: stackName }));
  const url = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'ReadApiUrl')?.OutputValue;
  if (!url) throw new Error(`stack ${stackName} has no ReadApiUrl output: deploy this version (npx cdk deploy -c stage=${stage})`);
  return url;
}

async function endpointFor(options: ScoresGetOptions): Promise<ReadApiEndpoint> {
  const targets = [options.stage, options.twin, options.url].filter((t) => t !== undefined && t !== false);
  if (targets.length !== 1) fail('give exactly one of --stage <stage> (AWS), --twin [work-dir] (the local twin) or --url <ReadApiUrl>');
  if (options.twin) {
    const workDir = resolve(typeof options.twin === 'string' ? options.twin : '.drs');
    if (!existsSync(sessionFile(workDir))) throw new Error(`no local twin is serving from ${workDir}: start one with npm start -- --serve (and keep it running)`);
    const session = readTwinSession(workDir);
    if (!session.apiUrl) throw new Error('the local twin serves no read API: restart it with this version (npm start -- --serve)');
    return { baseUrl: session.apiUrl };
  }
  const credentials = defaultProvider();
  return { baseUrl: options.url ?? (await stackApiUrl(options.stage!)), credentials: () => credentials(), region: process.env.AWS_REGION };
}

const pad = (s: string, n: number) => s.padEnd(n);

export function formatScores(answer: Awaited<ReturnType<typeof getReadiness>>): string {
  const lines = answer.items.map(
    (i) =>
      `${pad(i.donorId, 16)} ${i.score.toFixed(3)}  ${pad(i.band, 6)}  ${String(i.ageDays).padStart(4)} d  model ${i.modelVersion}  ` +
      i.reasons.map((r) => `${r.effect === 'raises' ? '+' : '-'}${r.code}`).join(' '),
  );
  return [
    ...(lines.length ? [`${pad('donor', 16)} score  band     age  model, reasons`, ...lines] : []),
    ...(answer.notFound.length ? [`not found (${answer.notFound.length}): ${answer.notFound.join(' ')}`] : []),
  ].join('\n');
}

export async function runScoresGet(ids: string[], options: ScoresGetOptions): Promise<void> {
  const endpoint = await endpointFor(options);
  try {
    const answer = await getReadiness(endpoint, ids);
    process.stdout.write(`${options.json ? JSON.stringify(answer) : formatScores(answer)}\n`);
  } catch (error) {
    if (error instanceof ReadApiError) {
      const { field, rule } = error.body.error ?? {};
      fail(field ? `${field} ${rule} (the read API answered ${error.status})` : error.message, 1);
    }
    throw error;
  }
}
