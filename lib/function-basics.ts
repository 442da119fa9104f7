// What every function of the stack shares: its own encrypted log group with retention, its own
// role that may write only there (not AWSLambdaBasicExecutionRole, whose log permissions cover
// every log group), Node 22 on the chosen architecture, code bundled locally with our pinned AWS
// SDK, and, in VPC mode, its place in the isolated subnets.
import { join } from 'node:path';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { OutputFormat, type BundlingOptions, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { retainOutsideDev } from './encrypted-queue';
import type { FunctionNetwork } from './function-network';

export const PROJECT_ROOT = join(__dirname, '..');

export interface FunctionBasicsProps {
  key: IKey;
  stage: string;
  architecture: 'x86_64' | 'arm64';
  logRetentionDays: number;
  /** The function's short name in its log group's name: /donor-readiness/<stage>/<name>. */
  logName: string;
  /** What the role is for, shown in IAM. */
  roleDescription: string;
  network?: FunctionNetwork;
}

/**
 * esbuild locally (no Docker), CommonJS for Node 22; the AWS SDK is bundled, not the runtime's.
 * `module` before `main`: the SDK's ES builds tree-shake, its CommonJS builds do not (the scoring
 * bundle shrinks from 0.85 to 0.58 MB, and cold-start compile and evaluation with it). Those ES
 * builds load some Node built-ins with import(); rewritten as require() the bundle stays plain
 * CommonJS, which also loads where import() is unavailable (a vm context, as in the tests).
 */
export const BUNDLING = {
  format: OutputFormat.CJS,
  target: 'node22',
  minify: true,
  sourceMap: false,
  mainFields: ['module', 'main'],
  esbuildArgs: { '--supported:dynamic-import': 'false' },
  externalModules: [],
  forceDockerBundling: false,
} satisfies BundlingOptions;

/** Every log group of the stack is under this prefix (the key policy lets CloudWatch Logs use the key there only). */
export const logGroupPrefixFor = (stage: string) => `/donor-readiness/${stage}/`;
export const logGroupNameFor = (stage: string, name: string) => `${logGroupPrefixFor(stage)}${name}`;

/** Creates `LogGroup` and `Role` in `scope`; spread the returned props into the NodejsFunction. */
export function functionBasics(scope: Construct, props: FunctionBasicsProps): { logGroup: LogGroup; functionProps: Partial<NodejsFunctionProps> } {
  const logGroup = new LogGroup(scope, 'LogGroup', {
    // Named, so the README, the alert e-mail and the stack outputs can say where to look.
    logGroupName: logGroupNameFor(props.stage, props.logName),
    retention: props.logRetentionDays,
    encryptionKey: props.key,
    removalPolicy: retainOutsideDev(props.stage),
  });
  const role = new Role(scope, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: props.roleDescription });
  logGroup.grantWrite(role);
  props.network?.grantNetworkInterfaces(role);
  return {
    logGroup,
    functionProps: {
      role,
      logGroup,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: props.architecture === 'arm64' ? Architecture.ARM_64 : Architecture.X86_64,
      ...props.network?.functionProps,
    },
  };
}
