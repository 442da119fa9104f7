// drs runs our TypeScript from esbuild bundles built in memory (cli/in-memory-bundle.cjs). What a
// bundle must not change: each file's own __dirname and __filename (the model folder, api/, the
// twin's child scripts are found from them), stack traces that name the .ts file and line, and
// drs's command modules built only when their command runs.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const RUNNER = join(ROOT, 'cli', 'in-memory-bundle.cjs');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'in-memory-bundle');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bundle } = require(RUNNER) as { bundle: (entry: string, lazy?: string[]) => string };
const run = (...args: string[]) => spawnSync(process.execPath, [RUNNER, join(FIXTURE, 'entry.ts'), ...args], { encoding: 'utf8' });

it("keeps each bundled file's own __dirname and __filename, and leaves the words in strings alone", () => {
  const result = run('paths', '--x');
  expect(result.stderr).toBe('');
  expect(JSON.parse(result.stdout)).toEqual({
    dirname: FIXTURE,
    filename: join(FIXTURE, 'entry.ts'),
    nested: { dirname: join(FIXTURE, 'nested'), filename: join(FIXTURE, 'nested', 'where.ts'), typeOf: 'string' },
    notAPath: 'a string that says __dirname and __filename',
    // Run as a command, the file is the main module and sees its own arguments.
    isMain: true,
    argv: ['paths', '--x'],
  });
});

it('names the .ts file and line of a throw in its stack trace', () => {
  const result = run('throw');
  expect(result.status).toBe(1);
  expect(result.stderr).toContain(`at throwFromNested (${join(FIXTURE, 'nested', 'where.ts')}:6:9)`);
  expect(result.stderr).toContain(`(${join(FIXTURE, 'entry.ts')}:4:`);
});

it("leaves drs's command modules out of its main bundle: each is built when its command runs", () => {
  const main = bundle(join(ROOT, 'cli', 'main.ts'), ['./*-command']);
  expect(main).toMatch(/^\/\/ cli\/option-values\.ts$/m);
  expect(main).not.toMatch(/^\/\/ cli\/score-command\.ts$/m);
  expect(main).not.toMatch(/^\/\/ cli\/batch-scorer\.ts$/m);
  expect(bundle(join(ROOT, 'cli', 'score-command.ts'), ['./*-command'])).toMatch(/^\/\/ cli\/batch-scorer\.ts$/m);
  // Where the command line's model folder is: model/, as from the source files themselves.
  expect(bundle(join(ROOT, 'cli', 'score-command.ts'))).toContain(`DEFAULT_MODEL_DIR = ${JSON.stringify(join(ROOT, 'model'))}`);
});
