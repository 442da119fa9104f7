// Per-stage settings committed in the repository, with -c overrides, validated by one schema.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTEXT_KEYS, PipelineConfigError } from '../../lib/pipeline-config';
import { CONFIG_DIR, loadStageSettings } from '../../lib/stage-settings';

const FIXTURES = join(__dirname, '..', 'fixtures', 'config');
const load = (overrides: Record<string, unknown>) => loadStageSettings(overrides, FIXTURES);
const refusal = (overrides: Record<string, unknown>) => {
  try {
    load(overrides);
  } catch (error) {
    expect(error).toBeInstanceOf(PipelineConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the settings to be refused');
};

describe('stage settings (config/<stage>.json, then -c)', () => {
  it('a redeploy without -c flags keeps the committed subscribers, bus and sizes', () => {
    expect(load({ stage: 'staging' })).toMatchObject({
      stage: 'staging',
      alertEmails: ['team@example.org', 'oncall@example.org'],
      eventBusName: 'registry-bus',
      memorySize: 1024,
      logRetentionDays: 90,
    });
  });

  it('lets -c override one value for one synth, and keeps the rest from the file', () => {
    expect(load({ stage: 'staging', memorySize: '2048', alertEmails: 'pager@example.org' })).toMatchObject({
      alertEmails: ['pager@example.org'],
      eventBusName: 'registry-bus',
      memorySize: 2048,
    });
  });

  it('refuses a stage other than dev without an alert address, naming the file to edit', () => {
    expect(refusal({ stage: 'nofile' })).toContain('stage nofile needs at least one alert address');
    expect(refusal({ stage: 'nofile' })).toContain('config/nofile.json');
    expect(refusal({ stage: 'staging', alertEmails: '' })).toContain('-c alertEmails="": stage staging needs at least one alert address');
    expect(load({ stage: 'dev' }).alertEmails).toEqual([]);
  });

  it('refuses a typo on the command line, saying what was probably meant and listing the known keys', () => {
    const message = refusal({ stage: 'staging', alertEmail: 'team@example.org' });
    expect(message).toContain('-c alertEmail: not a setting (did you mean alertEmails?)');
    expect(message).toContain(`known settings: ${CONTEXT_KEYS.join(', ')}`);
    expect(message).toContain('eventBusName');
  });

  it('refuses an unknown key in the committed file, naming the file', () => {
    expect(refusal({ stage: 'typo' })).toContain('config/typo.json "alertEmail": not a setting (did you mean alertEmails?)');
  });

  it('names the file and key of a bad committed value, and the -c flag of a bad override', () => {
    expect(refusal({ stage: 'badvalue' })).toContain('config/badvalue.json "memorySize": 64: must be a whole number from 128 to 10240');
    expect(refusal({ stage: 'staging', memorySize: 'lots' })).toContain('-c memorySize="lots": must be a whole number from 128 to 10240');
  });

  it('refuses a file that is not JSON, and never reads a path from a bad stage name', () => {
    expect(refusal({ stage: 'broken' })).toMatch(/config\/broken\.json is not valid JSON/);
    expect(refusal({ stage: '../config/staging' })).toContain('-c stage="../config/staging": must be lowercase letters');
  });

  it('the committed stage files are valid: dev as it is, prod once an address is added', () => {
    expect(loadStageSettings({ stage: 'dev' }, CONFIG_DIR).stage).toBe('dev');
    // prod ships without an address on purpose: it must refuse until the team adds theirs.
    expect(() => loadStageSettings({ stage: 'prod' }, CONFIG_DIR)).toThrow(/stage prod needs at least one alert address/);
    expect(loadStageSettings({ stage: 'prod', alertEmails: 'team@example.org' }, CONFIG_DIR).alertEmails).toEqual(['team@example.org']);
    const prodFile = JSON.parse(readFileSync(join(CONFIG_DIR, 'prod.json'), 'utf8'));
    expect(Object.keys(prodFile).filter((k) => k !== '$comment').every((k) => (CONTEXT_KEYS as string[]).includes(k))).toBe(true);
  });
});
