'use strict';
// One cold start, in a fresh process. Mode "handler": import the bundled handler, which loads the
// model from the local S3 endpoint, and score one event. Mode "floor": only load onnxruntime-node,
// create a session from the same bytes and run one row. Mode "io-floor": the floor plus the cold
// start's three requests (bench/cold-start-io-floor.ts, bundled as the function is). Prints ms since the process started, and the
// CPU ms the process has used by then (on a shared machine, the figure other processes cannot stretch).
// Node's own start: the time from the process's origin to this script's first line.
const nodeStartMs = performance.now();
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const [mode, arg1, arg2, arg3] = process.argv.slice(2);
process.removeAllListeners('warning');
process.on('warning', () => {});

const writeOut = process.stdout.write.bind(process.stdout);
const writeErr = process.stderr.write.bind(process.stderr);

async function main() {
  if (mode === 'api') {
    // The read API handler: import it, read the model manifest from S3 and answer one batchGet.
    process.stdout.write = () => true;
    process.stderr.write = () => true;
    const { handler } = require(arg1);
    const result = await handler(JSON.parse(arg2));
    if (result.statusCode !== 200) throw new Error(`the read handler answered ${result.statusCode}`);
    writeOut(`${JSON.stringify({ ms: performance.now() })}\n`);
    return;
  } else if (mode === 'handler') {
    const event = JSON.parse(arg2);
    process.stdout.write = () => true; // the handler's JSON logs, as CloudWatch would take them
    process.stderr.write = () => true;
    const { handler } = require(arg1);
    const importMs = performance.now();
    const result = await handler(event);
    if (result.outcome !== 'scored' && result.outcome !== 'stale') throw new Error(`unexpected outcome ${result.outcome}`);
    const ms = performance.now();
    const cpu = cpuMs();
    // Optionally keep the container warm for more events, to read its peak memory.
    let peakRss = process.memoryUsage().rss;
    for (let i = 1; i < Number(arg3 || 1); i++) {
      await handler({ ...event, id: `${event.id}-${i}`, detail: { ...event.detail, donorId: `${event.detail.donorId}-${i}` } });
      if (i % 50 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    writeOut(`${JSON.stringify({ ms, cpuMs: cpu, importMs, nodeStartMs, peakRss: Math.max(peakRss, process.memoryUsage().rss) })}\n`);
    return;
  } else if (mode === 'io-floor') {
    const { ioFloor } = require(arg1);
    const importMs = performance.now();
    const { sessionMs } = await ioFloor(JSON.parse(arg2));
    const ms = performance.now();
    writeOut(`${JSON.stringify({ ms, cpuMs: cpuMs(), importMs, sessionMs, nodeStartMs })}\n`);
    return;
  } else {
    const ort = require('onnxruntime-node');
    const importMs = performance.now();
    const bytes = require('node:fs').readFileSync(arg1);
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const sessionMs = performance.now();
    const features = Number(arg2);
    await session.run({ features: new ort.Tensor('float32', new Float32Array(features).fill(1), [1, features]) });
    const ms = performance.now();
    writeOut(`${JSON.stringify({ ms, cpuMs: cpuMs(), importMs, sessionMs, nodeStartMs })}\n`);
    return;
  }
}
main().catch((error) => {
  writeErr(`cold start failed: ${error && error.stack}\n`);
  process.exit(1);
});
