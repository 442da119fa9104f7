// The read API and the change-event pipes as synthesized: IAM on every method, only the principals
// from context get in, throttling, encrypted access logs without donor ids, exact grants.
import { Template } from 'aws-cdk-lib/assertions';
import { buildInFileAssembly } from './file-assembly';

const PARTNER_ROLE = 'arn:aws:iam::444455556666:role/donor-search';
function synth(context: Record<string, string>) {
  const { stack } = buildInFileAssembly(context);
  return Template.fromStack(stack);
}
const only = (template: Template, type: string, prefix: string) => {
  const found = Object.entries(template.findResources(type)).filter(([id]) => id.startsWith(prefix));
  if (found.length !== 1) throw new Error(`expected one ${type} under ${prefix}, found ${found.length}`);
  return { id: found[0][0], resource: found[0][1] as any };
};

const template = synth({ stage: 'prod', alertEmails: 'team@example.org', apiAllowedPrincipals: `111122223333, ${PARTNER_ROLE}`, apiRateLimit: '20', apiBurstLimit: '40' });
const resources = template.toJSON().Resources as Record<string, any>;
const api = only(template, 'AWS::ApiGateway::RestApi', 'ReadApi');
const fn = only(template, 'AWS::Lambda::Function', 'ReadApiFunction');
const key = only(template, 'AWS::KMS::Key', 'DataKey').id;
const table = only(template, 'AWS::DynamoDB::Table', 'ScoreStore').id;
const bucket = only(template, 'AWS::S3::Bucket', 'ModelStoreBucket').id;

describe('read API', () => {
  it('requires IAM (SigV4) authorization on every method it has', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')) as any[];
    expect(methods.map((m) => [m.Properties.HttpMethod, m.Properties.AuthorizationType])).toEqual([['POST', 'AWS_IAM']]);
    const resourcePaths = Object.values(template.findResources('AWS::ApiGateway::Resource')).map((r: any) => r.Properties.PathPart);
    expect(resourcePaths.sort()).toEqual(['readiness:batchGet', 'v1']);
  });

  it('lets in only the accounts and roles named in context, and denies every other principal', () => {
    const statements = api.resource.Properties.Policy.Statement;
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'execute-api:Invoke',
        Principal: { AWS: [PARTNER_ROLE, { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:root']] }] },
        Resource: 'execute-api:/prod/POST/v1/readiness:batchGet',
      },
      {
        Effect: 'Deny',
        Action: 'execute-api:Invoke',
        Principal: { AWS: '*' },
        Resource: 'execute-api:/*',
        Condition: { StringNotEquals: { 'aws:PrincipalAccount': ['111122223333'] }, ArnNotLike: { 'aws:PrincipalArn': [PARTNER_ROLE] } },
      },
    ]);
  });

  it("lets in only the stack's own account when no principal is named", () => {
    const statements = only(synth({ stage: 'dev' }), 'AWS::ApiGateway::RestApi', 'ReadApi').resource.Properties.Policy.Statement;
    expect(statements[0].Principal).toEqual({ AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } });
    expect(statements[1].Condition).toEqual({ StringNotEquals: { 'aws:PrincipalAccount': [{ Ref: 'AWS::AccountId' }] } });
  });

  it('refuses a principal that is neither an account id nor an IAM role or user ARN', () => {
    expect(() => synth({ apiAllowedPrincipals: '*' })).toThrow(/apiAllowedPrincipals="\*": must be comma-separated 12-digit account ids or IAM role\/user ARNs/);
    expect(() => synth({ apiAllowedPrincipals: 'arn:aws:iam::111122223333:root,12345' })).toThrow(/apiAllowedPrincipals/);
  });

  it('throttles the stage from context and logs access as JSON to an encrypted log group, without the path or body', () => {
    const stage = only(template, 'AWS::ApiGateway::Stage', 'ReadApi').resource.Properties;
    expect(stage.MethodSettings).toEqual([
      expect.objectContaining({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40, DataTraceEnabled: false, LoggingLevel: 'OFF' }),
    ]);
    const accessLogs = only(template, 'AWS::Logs::LogGroup', 'ReadApiAccessLogs');
    expect(stage.AccessLogSetting.DestinationArn).toEqual({ 'Fn::GetAtt': [accessLogs.id, 'Arn'] });
    expect(accessLogs.resource.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [key, 'Arn'] });
    const format = JSON.parse(stage.AccessLogSetting.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status', resourcePath: '$context.resourcePath' });
    // Donor ids travel in the body only: nothing that could carry a body, path or query is logged.
    expect(stage.AccessLogSetting.Format).not.toMatch(/\$context\.path|\$input|requestOverride|querystring|\$context\.authorizer/);
  });

  it('runs the read handler with exact grants: BatchGetItem on the score table, Decrypt on the key, the manifest object only', () => {
    expect(fn.resource.Properties).toMatchObject({ Handler: 'index.handler', Runtime: 'nodejs22.x', Timeout: 10 });
    expect(fn.resource.Properties.ReservedConcurrentExecutions).toBeUndefined(); // off by default (-c apiReservedConcurrency)
    expect(fn.resource.Properties.Environment.Variables).toMatchObject({ SCORE_TABLE_NAME: { Ref: table }, MODEL_BUCKET: { Ref: bucket }, STAGE: 'prod' });
    const roleId = fn.resource.Properties.Role['Fn::GetAtt'][0];
    const policy = Object.values(resources).find((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === roleId));
    const statements = policy.Properties.PolicyDocument.Statement.filter((s: any) => !String(JSON.stringify(s.Action)).startsWith('["logs:'));
    expect(statements).toEqual([
      { Action: 'dynamodb:BatchGetItem', Effect: 'Allow', Resource: { 'Fn::GetAtt': [table, 'Arn'] } },
      { Action: 'kms:Decrypt', Effect: 'Allow', Resource: { 'Fn::GetAtt': [key, 'Arn'] } },
      { Action: 's3:GetObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${fn.resource.Properties.Environment.Variables.MODEL_PREFIX}manifest.json`]] } },
    ]);
    expect(JSON.stringify(policy)).not.toContain('"*"');
  });

  it('integrates the function through a Lambda proxy integration that only this API may invoke', () => {
    const method = Object.values(template.findResources('AWS::ApiGateway::Method'))[0] as any;
    expect(method.Properties.Integration.Type).toBe('AWS_PROXY');
    expect(JSON.stringify(method.Properties.Integration.Uri)).toContain(`"Fn::GetAtt":["${fn.id}","Arn"]`);
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).filter((p: any) => JSON.stringify(p.Properties.FunctionName).includes(fn.id)) as any[];
    expect(permissions).toHaveLength(1);
    expect(permissions[0].Properties).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' });
    const stage = only(template, 'AWS::ApiGateway::Stage', 'ReadApi').id;
    expect(permissions[0].Properties.SourceArn['Fn::Join'][1].slice(-4)).toEqual([{ Ref: api.id }, '/', { Ref: stage }, '/POST/v1/readiness:batchGet']);
  });
});

describe('DonorReadinessChanged pipes', () => {
  const pipes = Object.entries(template.findResources('AWS::Pipes::Pipe')) as [string, any][];
  const streamArn = { 'Fn::GetAtt': [table, 'StreamArn'] };

  it('read the score table stream with old and new images and put DonorReadinessChanged on the bus', () => {
    expect(resources[table].Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    const bus = only(template, 'AWS::Events::EventBus', 'EventIntake').id;
    expect(pipes).toHaveLength(2);
    for (const [, pipe] of pipes) {
      expect(pipe.Properties.Source).toEqual(streamArn);
      expect(pipe.Properties.Target).toEqual({ 'Fn::GetAtt': [bus, 'Arn'] });
      expect(pipe.Properties.TargetParameters.EventBridgeEventBusParameters).toEqual({ DetailType: 'DonorReadinessChanged', Source: 'donor-readiness' });
      expect(pipe.Properties.SourceParameters.DynamoDBStreamParameters.DeadLetterConfig.Arn).toEqual({ 'Fn::GetAtt': [only(template, 'AWS::SQS::Queue', 'ReadinessChangeEventsUndelivered').id, 'Arn'] });
      // No donor attributes and no features in the events: only these six fields.
      const fields = [...pipe.Properties.TargetParameters.InputTemplate.matchAll(/"(\w+)":/g)].map((m) => m[1]);
      expect(fields).toEqual(['donorId', 'score', 'band', 'previousBand', 'modelVersion', 'scoredAt']);
    }
  });

  it('filter first scores (INSERT) and band changes (old band != new band) and nothing else', () => {
    const filters = Object.fromEntries(pipes.map(([id, p]) => [id.replace(/[A-F0-9]{8}$/, ''), p.Properties.SourceParameters.FilterCriteria.Filters.map((f: any) => JSON.parse(f.Pattern))]));
    expect(filters.ReadinessChangeEventsFirstScorePipe).toEqual([{ eventName: ['INSERT'] }]);
    const pairs = filters.ReadinessChangeEventsBandChangePipe.map((f: any) => {
      expect(f.eventName).toEqual(['MODIFY']);
      return [f.dynamodb.OldImage.band.S, f.dynamodb.NewImage.band.S];
    });
    expect(pairs).toEqual([
      [['high'], ['medium', 'low']],
      [['medium'], ['high', 'low']],
      [['low'], ['high', 'medium']],
    ]);
  });

  it('run under a role that pipes assume only for this account, with exact grants', () => {
    const role = only(template, 'AWS::IAM::Role', 'ReadinessChangeEventsRole');
    expect(role.resource.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'pipes.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } },
    ]);
    const policy = Object.values(resources).find((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === role.id));
    const byAction = Object.fromEntries(policy.Properties.PolicyDocument.Statement.map((s: any) => [JSON.stringify(s.Action), s.Resource]));
    expect(byAction['["dynamodb:DescribeStream","dynamodb:GetRecords","dynamodb:GetShardIterator","dynamodb:ListStreams"]']).toEqual(streamArn);
    expect(byAction['"events:PutEvents"']).toEqual({ 'Fn::GetAtt': [only(template, 'AWS::Events::EventBus', 'EventIntake').id, 'Arn'] });
    expect(JSON.stringify(policy)).not.toContain('"*"');
  });
});
