// One way to build the app, for `cdk synth` (bin/), the infra tests and the local twin alike.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { DonorReadinessStack } from './donor-readiness-stack';
import { CONTEXT_KEYS, parsePipelineConfig, type PipelineConfig } from './pipeline-config';
import { FEATURE_FLAGS_AT_DEFAULT } from './feature-flags';

export interface PipelineApp {
  app: App;
  stack: DonorReadinessStack;
  config: PipelineConfig;
}

export function stackNameFor(stage: string): string {
  return `DonorReadiness-${stage}`;
}

/** `context` overrides what cdk.json and `-c` give; values are validated (PipelineConfigError). */
export function buildPipelineApp(appProps: AppProps = {}, modelDir?: string): PipelineApp {
  // cdk.json's feature flags apply wherever the app is built, not only under the CDK CLI.
  const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  const app = new App({ ...appProps, context: { ...FEATURE_FLAGS_AT_DEFAULT, ...cdkJson.context, ...appProps.context } });
  const config = parsePipelineConfig(Object.fromEntries(CONTEXT_KEYS.map((key) => [key, app.node.tryGetContext(key)])));
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
