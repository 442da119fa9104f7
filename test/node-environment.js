// Jest runs each test file in its own V8 context, so `Float32Array` inside a test is not the one
// onnxruntime-node's native code creates; ORT's `instanceof` checks then fail on output tensors
// (microsoft/onnxruntime#16622). Sharing the host's typed-array constructors fixes it and changes
// nothing else.
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Uint8Array', 'Uint8ClampedArray', 'Int8Array',
  'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array', 'Float32Array', 'Float64Array',
  'BigInt64Array', 'BigUint64Array',
];

class SharedTypedArrayEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = SharedTypedArrayEnvironment;
