// Bundles the cold start's I/O floors (bench/cold-start-io-floor.ts, bench/cold-start-bare-io-floor.ts)
// beside the scoring function's index.js, with the function's own esbuild options
// (lib/scoring-function.ts), so each pays the same compile and module costs for the parts it shares
// with the handler and resolves the same onnxruntime-node.
import { dirname, join } from 'node:path';
import { buildSync } from 'esbuild';
import { BUNDLING } from '../lib/function-basics';
import { ENVIRONMENT_CREDENTIALS, LAZY_WRAP_FREE } from '../lib/scoring-function';

export function bundleIoFloor(handlerFile: string, floor: 'io-floor' | 'bare-io-floor'): string {
  const outfile = join(dirname(handlerFile), `${floor}.js`);
  buildSync({
    entryPoints: [join(__dirname, `cold-start-${floor}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: BUNDLING.target,
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourceMap,
    mainFields: BUNDLING.mainFields,
    supported: { 'dynamic-import': false },
    alias: { '@aws-sdk/credential-provider-node': ENVIRONMENT_CREDENTIALS },
    external: ['onnxruntime-node', ...LAZY_WRAP_FREE],
    logLevel: 'error',
  });
  return outfile;
}
