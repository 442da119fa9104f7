// The CDK CLI as DevOps runs it: `npx cdk synth` works offline with the pinned CLI, and a bad
// context value stops it with a message that names the key.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const cdk = (...args: string[]) =>
  spawnSync('npx', ['cdk', ...args, '--output', mkdtempSync(join(tmpdir(), 'drs-cli-out-'))], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' } });

describe('npx cdk synth', () => {
  it('synthesizes the stack named for the stage', () => {
    const result = cdk('synth', '--quiet', '-c', 'stage=ci', '-c', 'alertEmails=team@example.org');
    expect(result.stderr).not.toMatch(/schema version mismatch/i);
    expect(result.status).toBe(0);
    expect(result.stdout + result.stderr).toContain('DonorReadiness-ci');
  });

  it('refuses a misspelt key (alertEmail) instead of ignoring it, listing the known keys', () => {
    const result = cdk('synth', '--quiet', '-c', 'alertEmail=team@example.org');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('-c alertEmail: not a setting (did you mean alertEmails?)');
    expect(result.stderr).toMatch(/known settings: stage, alertEmails, eventBusName/);
  });

  it('refuses a bad context value with a clear message', () => {
    const result = cdk('synth', '--quiet', '-c', 'memorySize=huge');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('-c memorySize="huge": must be a whole number from 128 to 10240');
  });
});
