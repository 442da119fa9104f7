// CDK feature flags this stack leaves at aws-cdk-lib's default behaviour, written out: the CLI
// otherwise warns at every synth that they are "not configured". Each value here is what the flag
// does when unset, so the template is exactly what it was; adopting a recommended value is a
// deliberate change (move the flag to cdk.json's context with the new value and review the diff).
// A flag that a newer aws-cdk-lib adds is not listed, so the CLI names it again after an upgrade.
// Listed from the feature-flag report of aws-cdk-lib 2.276.0 (cdk.out/manifest.json).
export const FEATURE_FLAGS_AT_DEFAULT: Record<string, unknown> = {
  '@aws-cdk-containers/ecs-service-extensions:enableDefaultLogDriver': false, // recommended: true
  '@aws-cdk/aws-apigateway:authorizerChangeDeploymentLogicalId': false, // recommended: true
  '@aws-cdk/aws-apigateway:disableCloudWatchRole': false, // recommended: true
  '@aws-cdk/aws-apigateway:logGroupDestinationArnWithoutWildcard': false, // recommended: true
  '@aws-cdk/aws-apigateway:requestValidatorUniqueId': false, // recommended: true
  '@aws-cdk/aws-appsync:appSyncGraphQLAPIScopeLambdaPermission': false, // recommended: true
  '@aws-cdk/aws-appsync:useArnForSourceApiAssociationIdentifier': false, // recommended: true
  '@aws-cdk/aws-autoscaling:generateLaunchTemplateInsteadOfLaunchConfig': false, // recommended: true
  '@aws-cdk/aws-batch:defaultToAL2023': false, // recommended: true
  '@aws-cdk/aws-cloudfront:defaultFunctionRuntimeV2_0': false, // recommended: true
  '@aws-cdk/aws-cloudfront:defaultViewerProtocolPolicyRedirectToHttps': false, // recommended: true
  '@aws-cdk/aws-cloudwatch-actions:changeLambdaPermissionLogicalIdForLambdaAction': false, // recommended: true
  '@aws-cdk/aws-codedeploy:removeAlarmsFromDeploymentGroup': false, // recommended: true
  '@aws-cdk/aws-codepipeline-actions:useNewDefaultBranchForCodeCommitSource': false, // recommended: true
  '@aws-cdk/aws-codepipeline:crossAccountKeyAliasStackSafeResourceName': false, // recommended: true
  '@aws-cdk/aws-codepipeline:crossAccountKeysDefaultValueToFalse': false, // recommended: true
  '@aws-cdk/aws-codepipeline:defaultPipelineTypeToV2': false, // recommended: true
  '@aws-cdk/aws-dynamodb:resourcePolicyPerReplica': false, // recommended: true
  '@aws-cdk/aws-dynamodb:retainTableReplica': false, // recommended: true
  '@aws-cdk/aws-ec2:bastionHostUseAmazonLinux2023ByDefault': false, // recommended: true
  '@aws-cdk/aws-ec2:ebsDefaultGp3Volume': false, // recommended: true
  '@aws-cdk/aws-ec2:ec2SumTImeoutEnabled': false, // recommended: true
  '@aws-cdk/aws-ec2:launchTemplateDefaultUserData': false, // recommended: true
  '@aws-cdk/aws-ec2:requirePrivateSubnetsForEgressOnlyInternetGateway': false, // recommended: true
  '@aws-cdk/aws-ec2:restrictDefaultSecurityGroup': false, // recommended: true
  '@aws-cdk/aws-ec2:uniqueImdsv2TemplateName': false, // recommended: true
  '@aws-cdk/aws-ecs-patterns:secGroupsDisablesImplicitOpenListener': false, // recommended: true
  '@aws-cdk/aws-ecs-patterns:uniqueTargetGroupId': false, // recommended: true
  '@aws-cdk/aws-ecs:arnFormatIncludesClusterName': false, // recommended: true
  '@aws-cdk/aws-ecs:disableExplicitDeploymentControllerForCircuitBreaker': false, // recommended: true
  '@aws-cdk/aws-ecs:reduceEc2FargateCloudWatchPermissions': false, // recommended: true
  '@aws-cdk/aws-ecs:removeDefaultDeploymentAlarm': false, // recommended: true
  '@aws-cdk/aws-ecs:removeEmptyLoadBalancers': false, // recommended: true
  '@aws-cdk/aws-efs:denyAnonymousAccess': false, // recommended: true
  '@aws-cdk/aws-efs:mountTargetOrderInsensitiveLogicalId': false, // recommended: true
  '@aws-cdk/aws-eks:defaultToAL2023': false, // recommended: true
  '@aws-cdk/aws-eks:nodegroupNameAttribute': false, // recommended: true
  '@aws-cdk/aws-eks:useNativeOidcProvider': false, // recommended: true
  '@aws-cdk/aws-elasticloadbalancingV2:albDualstackWithoutPublicIpv4SecurityGroupRulesDefault': false, // recommended: true
  '@aws-cdk/aws-elasticloadbalancingv2:networkLoadBalancerWithSecurityGroupByDefault': false, // recommended: true
  '@aws-cdk/aws-elasticloadbalancingv2:usePostQuantumTlsPolicy': false, // recommended: true
  '@aws-cdk/aws-events:requireEventBusPolicySid': false, // recommended: true
  '@aws-cdk/aws-iam:importedRoleStackSafeDefaultPolicyName': false, // recommended: true
  '@aws-cdk/aws-iam:oidcRejectUnauthorizedConnections': false, // recommended: true
  '@aws-cdk/aws-kms:aliasNameRef': false, // recommended: true
  '@aws-cdk/aws-kms:reduceCrossAccountRegionPolicyScope': false, // recommended: true
  '@aws-cdk/aws-lambda-nodejs:sdkV3ExcludeSmithyPackages': false, // recommended: true
  '@aws-cdk/aws-lambda:useCdkManagedLogGroup': false, // recommended: true
  '@aws-cdk/aws-opensearchservice:enableOpensearchMultiAzWithStandby': false, // recommended: true
  '@aws-cdk/aws-rds:auroraClusterChangeScopeOfInstanceParameterGroupWithEachParameters': false, // recommended: true
  '@aws-cdk/aws-rds:databaseProxyUniqueResourceName': false, // recommended: true
  '@aws-cdk/aws-rds:preventRenderingDeprecatedCredentials': false, // recommended: true
  '@aws-cdk/aws-rds:setCorrectValueForDatabaseInstanceReadReplicaInstanceResourceId': false, // recommended: true
  '@aws-cdk/aws-redshift:columnId': false, // recommended: true
  '@aws-cdk/aws-route53-patterns:useDistribution': false, // recommended: true
  '@aws-cdk/aws-route53-patters:useCertificate': false, // recommended: true
  '@aws-cdk/aws-route53-targets:userPoolDomainNameMethodWithoutCustomResource': false, // recommended: true
  '@aws-cdk/aws-s3:createDefaultLoggingPolicy': false, // recommended: true
  '@aws-cdk/aws-s3:publicAccessBlockedByDefault': false, // recommended: true
  '@aws-cdk/aws-s3:setUniqueReplicationRoleName': false, // recommended: true
  '@aws-cdk/aws-secretsmanager:useAttachedSecretResourcePolicyForSecretTargetAttachments': false, // recommended: true
  '@aws-cdk/aws-signer:signingProfileNamePassedToCfn': false, // recommended: true
  '@aws-cdk/aws-sns-subscriptions:restrictSqsDescryption': false, // recommended: true
  '@aws-cdk/aws-stepfunctions-tasks:enableEmrServicePolicyV2': false, // recommended: true
  '@aws-cdk/aws-stepfunctions-tasks:fixRunEcsTaskPolicy': false, // recommended: true
  '@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2': false, // recommended: true
  '@aws-cdk/core:annotationsInValidationReport': false, // recommended: true
  '@aws-cdk/core:aspectPrioritiesMutating': false, // recommended: true
  '@aws-cdk/core:cfnIncludeRejectComplexResourceUpdateCreatePolicyIntrinsics': false, // recommended: true
  '@aws-cdk/core:defaultCrossStackReferences': 'strong', // recommended: 'weak'
  '@aws-cdk/core:enableAdditionalMetadataCollection': false, // recommended: true
  '@aws-cdk/core:explicitStackTags': false, // recommended: true
  '@aws-cdk/core:includePrefixInUniqueNameGeneration': false, // recommended: true
  // Unset, region facts cover every partition; the list is what the stack is deployed to.
  '@aws-cdk/core:target-partitions': ['aws', 'aws-cn'], // recommended: the same
  '@aws-cdk/core:validateAgainstDefaultRules': false, // recommended: true
  '@aws-cdk/core:validateSnapshotRemovalPolicy': false, // recommended: true
  '@aws-cdk/s3-notifications:addS3TrustKeyPolicyForSnsSubscriptions': false, // recommended: true
};
