// Bundles the cold start's I/O floors (bench/cold-start-io-floor.ts, bench/cold-start-bare-io-floor.ts)
// beside the scoring function's index.js, with the command that bundles the function's own
// side files (lib/scoring-function.ts), so each pays the same compile and module costs for the parts
// it shares with the handler and resolves the same onnxruntime-node.
import { execSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { bundleApartCommand, LAZY_WRAP_FREE } from '../lib/scoring-function';

export function bundleIoFloor(handlerFile: string, floor: 'io-floor' | 'bare-io-floor'): string {
  const dir = dirname(handlerFile);
  execSync(bundleApartCommand(dir, join(__dirname, `cold-start-${floor}.ts`), ['onnxruntime-node', ...LAZY_WRAP_FREE]), { stdio: ['ignore', 'ignore', 'inherit'] });
  return join(dir, `cold-start-${floor}.js`);
}
