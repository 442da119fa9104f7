// What `npm start -- --serve` leaves for other commands while its endpoints are up: where they
// are and how the pipeline's functions run on them (`drs redrive --twin` reads it).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalFunction } from './provision';

export interface TwinSession {
  pid: number;
  env: Record<string, string>;
  scoringFunction: LocalFunction;
  functionArn: string;
  /** The read API's stage URL on loopback (POST {apiUrl}/v1/readiness:batchGet). */
  apiUrl?: string;
}

export const sessionFile = (workDir: string) => join(workDir, 'twin.json');

export function writeTwinSession(workDir: string, session: TwinSession): () => void {
  const file = sessionFile(workDir);
  writeFileSync(file, JSON.stringify(session, null, 2));
  return () => rmSync(file, { force: true });
}

export function readTwinSession(workDir: string): TwinSession {
  const file = sessionFile(workDir);
  if (!existsSync(file)) {
    throw new Error(`no local twin is serving from ${workDir}: start one with npm start -- --serve (and keep it running), then run this command again`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as TwinSession;
}
