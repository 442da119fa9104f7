// Jest runs each test file in its own V8 context, so `Float32Array` inside a test is not the one
// onnxruntime-node's native code creates; ORT's `instanceof` checks then fail on output tensors
// (microsoft/onnxruntime#16622). Sharing the host's typed-array constructors fixes it and changes
// nothing else.
//
// Each test file also gets its own temporary directory (TMPDIR, inherited by the processes it
// starts), removed when the file ends: synthesized assemblies, work dirs and anything a library
// writes there go with it, and files running in parallel never see each other's.
const { mkdtempSync, readdirSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { TestEnvironment } = require('jest-environment-node');

// The SDK's notice that its releases after January 2027 need Node 22 (Lambda runs nodejs22.x);
// the suite still runs on Node 20 where CI has it. Set before any test file's process.env copy.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const SHARED = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Uint8Array', 'Uint8ClampedArray', 'Int8Array',
  'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array', 'Float32Array', 'Float64Array',
  'BigInt64Array', 'BigUint64Array',
];

// A test file may ask for a time zone (`@jest-environment-options {"timeZone": "America/Los_Angeles"}`):
// it is set on this worker's real process.env.TZ (the test file sees a copy, which Node ignores) for
// that file only, so code that formats dates can be checked where local time is not UTC.
// A run that is killed (Ctrl-C, a timeout) never reaches teardown; its directories carry the
// worker's pid, so the next run removes those whose process is gone.
function removeOrphans(dir) {
  for (const name of readdirSync(dir)) {
    const owner = /^drs-jest-(\d+)-/.exec(name);
    if (!owner) continue;
    try {
      process.kill(Number(owner[1]), 0);
    } catch (error) {
      if (error.code === 'ESRCH') rmSync(join(dir, name), { recursive: true, force: true });
    }
  }
}

class SharedTypedArrayEnvironment extends TestEnvironment {
  constructor(config, context) {
    const outer = process.env.TMPDIR;
    removeOrphans(tmpdir());
    const privateTmp = mkdtempSync(join(tmpdir(), `drs-jest-${process.pid}-`));
    process.env.TMPDIR = privateTmp;
    super(config, context);
    const timeZone = config.projectConfig.testEnvironmentOptions?.timeZone;
    this.outerTz = process.env.TZ;
    if (timeZone) process.env.TZ = timeZone;
    this.outerTmp = outer;
    this.privateTmp = privateTmp;
    this.global.process.env.TMPDIR = privateTmp;
    for (const name of SHARED) this.global[name] = globalThis[name];
  }

  async teardown() {
    await super.teardown();
    if (this.outerTz === undefined) delete process.env.TZ;
    else process.env.TZ = this.outerTz;
    if (this.outerTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = this.outerTmp;
    rmSync(this.privateTmp, { recursive: true, force: true });
  }
}

module.exports = SharedTypedArrayEnvironment;
