// The read API for partner systems: API Gateway (REST, regional) with IAM (SigV4) authorization on
// every method, a resource policy that lets in only the principals or accounts named in context,
// stage throttling, encrypted JSON access logs that carry request ids and status but never a donor
// id (the only route takes ids in the body; the log format has no path, body or query), and a thin
// Lambda over lambdas/read-api/ that may BatchGetItem the score table and read the model manifest.
import { join } from 'node:path';
import { Aws, Duration } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { AccountPrincipal, AnyPrincipal, ArnPrincipal, Effect, PolicyDocument, PolicyStatement, type IPrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { retainOutsideDev } from './encrypted-queue';
import { BUNDLING, functionBasics, logGroupNameFor, PROJECT_ROOT } from './function-basics';
import type { FunctionNetwork } from './function-network';
import type { ModelStore } from './model-store';

export const READ_API_ENTRY = join(PROJECT_ROOT, 'lambdas', 'read-api', 'handler.ts');
export const READ_API_EXPORT = 'handler';
export const BATCH_GET_PATH = '/v1/readiness:batchGet';

/**
 * The access log line: who called (account, principal ARN), what route (the resource template,
 * never the concrete path), the status and latencies. API Gateway never logs bodies here.
 */
export const ACCESS_LOG_FIELDS: Record<string, string> = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  callerAccount: '$context.identity.accountId',
  callerArn: '$context.identity.userArn',
  sourceIp: '$context.identity.sourceIp',
  error: '$context.error.message',
};

export interface ReadApiProps {
  key: IKey;
  stage: string;
  architecture: 'x86_64' | 'arm64';
  logRetentionDays: number;
  scoreTable: ITable;
  modelStore: ModelStore;
  /** 12-digit account ids and IAM role/user ARNs; empty: this stack's account only. */
  allowedPrincipals: string[];
  rateLimit: number;
  burstLimit: number;
  reservedConcurrency?: number;
  network?: FunctionNetwork;
}

const isAccount = (p: string) => /^\d{12}$/.test(p);

export class ReadApi extends Construct {
  public readonly api: RestApi;
  public readonly function: NodejsFunction;
  public readonly logGroup: LogGroup;
  public readonly accessLogs: LogGroup;
  /** The batchGet endpoint's URL. */
  public readonly batchGetUrl: string;

  constructor(scope: Construct, id: string, props: ReadApiProps) {
    super(scope, id);
    const basics = functionBasics(this, { ...props, logName: 'read-api', roleDescription: 'Donor readiness read API: reads scores (BatchGetItem) and the model manifest' });
    this.logGroup = basics.logGroup;
    this.function = new NodejsFunction(this, 'Function', {
      ...basics.functionProps,
      description: 'Answers POST /v1/readiness:batchGet with the stored readiness scores',
      entry: READ_API_ENTRY,
      handler: READ_API_EXPORT,
      memorySize: 512,
      // DynamoDB retries of unprocessed keys take ~3 s at most; API Gateway gives up at 29 s.
      timeout: Duration.seconds(10),
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: { STAGE: props.stage, POWERTOOLS_SERVICE_NAME: 'read-api', POWERTOOLS_METRICS_NAMESPACE: 'DonorReadiness', POWERTOOLS_LOG_LEVEL: 'INFO' },
      bundling: BUNDLING,
    });
    const fn = this.function;
    const allow = (actions: string[], resources: string[]) => fn.addToRolePolicy(new PolicyStatement({ actions, resources }));
    fn.addEnvironment('SCORE_TABLE_NAME', props.scoreTable.tableName);
    allow(['dynamodb:BatchGetItem'], [props.scoreTable.tableArn]);
    allow(['kms:Decrypt'], [props.key.keyArn]);
    fn.addEnvironment('MODEL_BUCKET', props.modelStore.bucket.bucketName);
    fn.addEnvironment('MODEL_PREFIX', props.modelStore.modelPrefix);
    fn.addEnvironment('MODEL_SHA256', props.modelStore.manifest.onnx.sha256);
    allow(['s3:GetObject'], [props.modelStore.bucket.arnForObjects(`${props.modelStore.modelPrefix}manifest.json`)]);
    fn.node.addDependency(props.modelStore.deployment);

    // Named under the stack's log-group prefix: the key policy lets CloudWatch Logs use the key there only.
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      logGroupName: logGroupNameFor(props.stage, 'read-api-access'),
      retention: props.logRetentionDays,
      encryptionKey: props.key,
      removalPolicy: retainOutsideDev(props.stage),
    });

    const accounts = props.allowedPrincipals.filter(isAccount);
    const arns = props.allowedPrincipals.filter((p) => !isAccount(p));
    const allowed: IPrincipal[] = props.allowedPrincipals.length
      ? [...accounts.map((a) => new AccountPrincipal(a)), ...arns.map((a) => new ArnPrincipal(a))]
      : [new AccountPrincipal(Aws.ACCOUNT_ID)];
    // In the same account an identity policy alone would let a principal in: the explicit deny
    // keeps out everyone who is not named, whatever their own policies say.
    const notNamed: Record<string, Record<string, string[]>> = props.allowedPrincipals.length
      ? {
          ...(accounts.length ? { StringNotEquals: { 'aws:PrincipalAccount': accounts } } : {}),
          ...(arns.length ? { ArnNotLike: { 'aws:PrincipalArn': arns } } : {}),
        }
      : { StringNotEquals: { 'aws:PrincipalAccount': [Aws.ACCOUNT_ID] } };
    const policy = new PolicyDocument({
      statements: [
        new PolicyStatement({ effect: Effect.ALLOW, principals: allowed, actions: ['execute-api:Invoke'], resources: [`execute-api:/${props.stage}/POST${BATCH_GET_PATH}`] }),
        new PolicyStatement({ effect: Effect.DENY, principals: [new AnyPrincipal()], actions: ['execute-api:Invoke'], resources: ['execute-api:/*'], conditions: notNamed }),
      ],
    });

    this.api = new RestApi(this, 'Api', {
      restApiName: `donor-readiness-${props.stage}`,
      description: 'Donor readiness scores for partner search systems (IAM/SigV4)',
      endpointTypes: [EndpointType.REGIONAL],
      policy,
      // No account-wide CloudWatch role: execution logs stay off (they could carry request bodies).
      cloudWatchRole: false,
      defaultMethodOptions: { authorizationType: AuthorizationType.IAM },
      deployOptions: {
        stageName: props.stage,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
        throttlingRateLimit: props.rateLimit,
        throttlingBurstLimit: props.burstLimit,
        loggingLevel: MethodLoggingLevel.OFF,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
      },
    });
    // The stack names its own outputs (ReadApiUrl, ReadApiBatchGetUrl): drop RestApi's unnamed one.
    this.api.node.tryRemoveChild('Endpoint');
    // API Gateway's own refusals (missing signature, denied, throttled) in the API's error shape.
    for (const [name, type] of [['Default4xx', ResponseType.DEFAULT_4XX], ['Default5xx', ResponseType.DEFAULT_5XX]] as const) {
      this.api.addGatewayResponse(name, {
        type,
        templates: { 'application/json': '{"error":{"message":$context.error.messageString},"requestId":"$context.requestId"}' },
      });
    }
    this.api.root
      .addResource('v1')
      .addResource('readiness:batchGet')
      .addMethod('POST', new LambdaIntegration(fn, { proxy: true, allowTestInvoke: false }), { authorizationType: AuthorizationType.IAM });
    this.batchGetUrl = this.api.urlForPath(BATCH_GET_PATH);
  }
}
