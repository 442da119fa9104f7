// The local AWS-compatible endpoints, in their own process like real services: dynalite for
// DynamoDB, fauxqs for SQS, SNS and S3. Prints {"dynamodb": url, "fauxqs": url} on one line, and
// exits when its parent closes stdin (so no server outlives the run that started it).
// Usage: node twin/endpoint-server.mjs [DATA_DIR]   (DATA_DIR keeps DynamoDB tables on disk)
import { Server } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';
import { startFauxqs } from 'fauxqs';

// Loopback only: these endpoints check no signature and no IAM, so nothing beyond this machine may
// reach them. fauxqs listens on 0.0.0.0 whatever host it is given; every server this process
// opens is bound to 127.0.0.1 instead (the URLs below already name 127.0.0.1).
const LOOPBACK = '127.0.0.1';
const listen = Server.prototype.listen;
Server.prototype.listen = function listenOnLoopback(...args) {
  if (args[0] !== null && typeof args[0] === 'object' && !('fd' in args[0]) && !('path' in args[0])) {
    args[0] = { ...args[0], host: LOOPBACK };
  } else if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    args = typeof args[1] === 'string' ? [args[0], LOOPBACK, ...args.slice(2)] : [args[0], LOOPBACK, ...args.slice(1)];
  }
  return listen.apply(this, args);
};

const dataDir = process.argv[2];
const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(dataDir ? { path: join(dataDir, 'dynamodb') } : {}) });
await new Promise((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
const fauxqs = await startFauxqs({ port: 0, logger: false });

const stop = async () => {
  await fauxqs.stop();
  dynamo.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
process.stdout.write(`${JSON.stringify({ dynamodb: `http://127.0.0.1:${dynamo.address().port}`, fauxqs: `http://127.0.0.1:${fauxqs.port}` })}\n`);
