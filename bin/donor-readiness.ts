#!/usr/bin/env node
// The CDK app: validated context in, one stack out. A bad context value stops here with a message.
import { buildPipelineApp } from '../lib/pipeline-app';
import { PipelineConfigError } from '../lib/pipeline-config';

try {
  buildPipelineApp();
} catch (error) {
  if (error instanceof PipelineConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
