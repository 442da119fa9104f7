#!/usr/bin/env node
// The CDK app: validated context in, one stack out.
import { App } from 'aws-cdk-lib';
import { DonorReadinessStack } from '../lib/donor-readiness-stack';
import { CONTEXT_KEYS, parsePipelineConfig, PipelineConfigError } from '../lib/pipeline-config';

const app = new App();
try {
  const config = parsePipelineConfig(Object.fromEntries(CONTEXT_KEYS.map((key) => [key, app.node.tryGetContext(key)])));
  new DonorReadinessStack(app, `DonorReadiness-${config.stage}`, {
    config,
    description: `Donor readiness scoring pipeline (${config.stage})`,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
} catch (error) {
  if (error instanceof PipelineConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
