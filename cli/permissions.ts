// What the read-only AWS commands need, in a module of its own: `drs --help` prints it without
// loading those commands and their SDK clients.

/** IAM permissions `drs diagnose --stage` uses. */
export const DIAGNOSE_PERMISSIONS = [
  'cloudformation:DescribeStacks, cloudformation:DescribeStackEvents and cloudformation:ListStackResources on the stack',
  'logs:StartQuery on the scoring log group (output ScoringLogGroup), logs:GetQueryResults',
  'cloudwatch:DescribeAlarmHistory on the stack\'s alarms',
  'cloudwatch:GetMetricData (it takes no resource: "*")',
  'kms:Decrypt on the stack\'s key (output DataKeyArn), which encrypts the log group',
];

/** IAM permissions `drs trace --stage` uses. */
export const TRACE_PERMISSIONS = [
  'cloudformation:DescribeStacks on the stack DonorReadiness-<stage>',
  'dynamodb:GetItem on the score table',
  'sqs:GetQueueUrl, sqs:ReceiveMessage and sqs:ChangeMessageVisibility on the rejected-events, failed-scoring, dead-letter and undelivered queues',
  'kms:Decrypt on the stack\'s key (stack output DataKeyArn: the table and queues are encrypted with it)',
  'logs:StartQuery and logs:GetQueryResults on the scoring function\'s log group',
  'dynamodb:Scan on the outcome table (stack output OutcomeTableName; keyed by request id, so the donor\'s outcomes are found by a filtered scan)',
];
