// The optional VPC mode (`-c vpc=true`): both functions run in isolated subnets with no route to
// the internet, reaching AWS only through VPC endpoints: gateway endpoints for DynamoDB and S3,
// interface endpoints for SQS and SNS. The security group allows HTTPS to the endpoints only.
import {
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpointAwsService,
  Peer,
  Port,
  SecurityGroup,
  SubnetType,
  Vpc,
  type SubnetSelection,
} from 'aws-cdk-lib/aws-ec2';
import { ManagedPolicy, type IRole } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface FunctionNetworkProps {
  key: IKey;
  flowLogGroupName: string;
  logRetentionDays: number;
}

export class FunctionNetwork extends Construct {
  public readonly vpc: Vpc;
  public readonly securityGroup: SecurityGroup;
  public readonly flowLogGroup: LogGroup;
  private readonly subnets: SubnetSelection = { subnetType: SubnetType.PRIVATE_ISOLATED };

  constructor(scope: Construct, id: string, props: FunctionNetworkProps) {
    super(scope, id);
    this.vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'functions', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      restrictDefaultSecurityGroup: false,
    });
    // Flow logs: who talked to what, kept like the function logs.
    this.flowLogGroup = new LogGroup(this, 'FlowLogs', { logGroupName: props.flowLogGroupName, retention: props.logRetentionDays, encryptionKey: props.key });
    this.vpc.addFlowLog('FlowLog', {
      destination: FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
      trafficType: FlowLogTrafficType.REJECT,
    });
    this.securityGroup = new SecurityGroup(this, 'Functions', {
      vpc: this.vpc,
      description: 'Donor readiness functions: HTTPS to the VPC endpoints only',
      allowAllOutbound: false,
    });
    const endpointSecurityGroup = new SecurityGroup(this, 'Endpoints', {
      vpc: this.vpc,
      description: 'Donor readiness VPC interface endpoints: HTTPS from the functions',
      allowAllOutbound: false,
    });
    endpointSecurityGroup.addIngressRule(this.securityGroup, Port.tcp(443), 'HTTPS from the donor readiness functions');

    this.vpc.addGatewayEndpoint('DynamoDb', { service: GatewayVpcEndpointAwsService.DYNAMODB, subnets: [this.subnets] });
    this.vpc.addGatewayEndpoint('S3', { service: GatewayVpcEndpointAwsService.S3, subnets: [this.subnets] });
    // Gateway endpoints are addressed by AWS's public ranges; the isolated subnets have no internet
    // route, so HTTPS out can only reach the endpoints.
    this.securityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS to the DynamoDB and S3 gateway endpoints (no internet route)');
    for (const [name, service] of [
      ['Sqs', InterfaceVpcEndpointAwsService.SQS],
      ['Sns', InterfaceVpcEndpointAwsService.SNS],
    ] as const) {
      this.vpc.addInterfaceEndpoint(name, { service, subnets: this.subnets, securityGroups: [endpointSecurityGroup], privateDnsEnabled: true, open: false });
    }
  }

  /** Spread into a function's props. */
  get functionProps() {
    return { vpc: this.vpc, vpcSubnets: this.subnets, securityGroups: [this.securityGroup] };
  }

  /**
   * What Lambda needs to attach a function to the subnets: AWS's policy for exactly the ENI actions.
   * ec2:Describe* has no resource-level permissions, so no statement of ours could name resources.
   */
  grantNetworkInterfaces(role: IRole): void {
    role.addManagedPolicy(ManagedPolicy.fromAwsManagedPolicyName(ENI_POLICY));
  }
}

export const ENI_POLICY = 'service-role/AWSLambdaENIManagementAccess';
