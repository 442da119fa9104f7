// CDK writes "Bundling asset <path>..." to standard error for every function it bundles; the infra
// tests synthesize the stack many times. The lines say nothing a test reader needs (the twin drops
// them too: twin/synthesize.ts), so they are dropped here, and nothing else is.
const write = process.stderr.write;
process.stderr.write = function quietBundling(chunk, ...rest) {
  if (typeof chunk === 'string' && /^Bundling asset \S+\.\.\.\n$/.test(chunk)) return true;
  return write.call(this, chunk, ...rest);
};
