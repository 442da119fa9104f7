// Per-stage settings committed in the repository (config/<stage>.json), so a redeploy without `-c`
// flags keeps the alert subscribers, the bus and every other choice; removing a subscriber is an
// edit of that file that the diff shows. `-c key=value` still overrides a value for one synth.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parsePipelineConfig, PIPELINE_CONTEXT, PipelineConfigError, type PipelineConfig, type SettingSource } from './pipeline-config';

export const CONFIG_DIR = join(__dirname, '..', 'config');

/** The stage's settings file, whether or not it exists. */
export function stageSettingsFile(stage: string, configDir = CONFIG_DIR): string {
  return join(configDir, `${stage}.json`);
}

function readSettingsFile(path: string, shownAs: string): Record<string, unknown> {
  if (!existsSync(path)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new PipelineConfigError(`${shownAs} is not valid JSON (${(error as Error).message}): fix the file, e.g. {"alertEmails": ["team@example.org"]}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new PipelineConfigError(`${shownAs} must hold one JSON object of settings, e.g. {"alertEmails": ["team@example.org"]}`);
  }
  const settings = { ...(parsed as Record<string, unknown>) };
  // "$comment" lets a file say why a value was chosen; JSON has no comments.
  delete settings.$comment;
  if ('stage' in settings) throw new PipelineConfigError(`${shownAs} "stage": the stage is the file's name; remove the key`);
  return settings;
}

/**
 * The settings of the stage that `overrides.stage` names (dev when absent): its file's values,
 * then `overrides` (the `-c` values) on top, validated together.
 */
export function loadStageSettings(overrides: Record<string, unknown>, configDir = CONFIG_DIR): PipelineConfig {
  const given = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const stage = PIPELINE_CONTEXT.shape.stage.safeParse(given.stage);
  // An invalid stage name never becomes a path: the schema reports it.
  if (!stage.success) return parsePipelineConfig(given);
  const path = stageSettingsFile(stage.data, configDir);
  const shownAs = relative(join(configDir, '..'), path);
  const fromFile = readSettingsFile(path, shownAs);
  const sources: Record<string, SettingSource> = Object.fromEntries(Object.keys(fromFile).map((k) => [k, { kind: 'file', path: shownAs }]));
  for (const key of Object.keys(given)) sources[key] = { kind: 'context' };
  return parsePipelineConfig({ ...fromFile, ...given }, sources);
}
