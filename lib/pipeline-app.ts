// One way to build the app, for `cdk synth` (bin/), the infra tests and the local twin alike.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { DonorReadinessStack } from './donor-readiness-stack';
import type { PipelineConfig } from './pipeline-config';
import { loadStageSettings } from './stage-settings';

export interface PipelineApp {
  app: App;
  stack: DonorReadinessStack;
  config: PipelineConfig;
}

export function stackNameFor(stage: string): string {
  return `DonorReadiness-${stage}`;
}

/**
 * The context keys a person gave (`-c`, or `context` here): everything but cdk.json's feature flags,
 * the CLI's own `aws:cdk:*` keys and cached lookups (`key:account=…`), which all hold ':' or start with '@'.
 */
function givenSettings(all: Record<string, unknown>, cdkJsonKeys: Set<string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(all).filter(([k]) => !cdkJsonKeys.has(k) && !k.includes(':') && !k.startsWith('@') && k !== 'acknowledged-issue-numbers'));
}

/** Settings are config/<stage>.json with `-c` (or `context`) on top, validated (PipelineConfigError). */
export function buildPipelineApp(appProps: AppProps = {}, modelDir?: string): PipelineApp {
  // cdk.json's feature flags apply wherever the app is built, not only under the CDK CLI.
  const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  const app = new App({ ...appProps, context: { ...cdkJson.context, ...appProps.context } });
  const config = loadStageSettings(givenSettings(app.node.getAllContext(), new Set(Object.keys(cdkJson.context ?? {}))));
  const stack = new DonorReadinessStack(app, stackNameFor(config.stage), {
    config,
    modelDir,
    description: `Donor readiness scoring pipeline (${config.stage})`,
    // Account and region come from the CLI's profile at deploy time; env-agnostic otherwise.
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  // cdk-nag at every synth (cdk synth/deploy, the tests, the twin): an unacknowledged finding fails it.
  // Acknowledgements are also written into the template's metadata, where reviewers can read them.
  const nag = { writeSuppressionsToCloudFormation: true };
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, nag), new HIPAASecurityChecks(app, nag));
  return { app, stack, config };
}
