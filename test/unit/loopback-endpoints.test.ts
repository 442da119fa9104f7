// The local endpoints check no signature and no IAM: they must be reachable from this machine only.
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { startLocalEndpoints, type LocalEndpoints } from '../../twin/local-endpoints';

let endpoints: LocalEndpoints;
beforeAll(async () => {
  endpoints = await startLocalEndpoints();
});
afterAll(() => endpoints?.stop());

/** Local addresses of the listening TCP sockets on `port`, from the kernel's table (hex, as /proc writes them). */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((f) => f.length > 3 && f[3] === '0A' && f[1].endsWith(`:${hexPort}`))
      .map((f) => f[1].split(':')[0]),
  );
}

const reachable = (host: string, port: number) =>
  new Promise<boolean>((done) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
    socket.once('timeout', () => (socket.destroy(), done(false)));
  });

describe('the local endpoints of npm start (and --serve)', () => {
  it.each(['dynamodb', 'fauxqs'] as const)('%s listens on 127.0.0.1 only', async (name) => {
    const port = Number(new URL(endpoints[name]).port);
    expect(listeningAddresses(port)).toEqual(['0100007F']);
    expect(await reachable('127.0.0.1', port)).toBe(true);
    const external = Object.values(networkInterfaces()).flat().filter((a) => a && !a.internal && a.family === 'IPv4');
    for (const address of external) expect(await reachable(address!.address, port)).toBe(false);
  });
});
