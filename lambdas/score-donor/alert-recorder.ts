// The alert counts' DynamoDB client, loaded at the first failure of a container, not at cold start:
// the scoring function's own write is a signed PutItem (signed-put-item.ts), so this is the only
// use of the DynamoDB client there. The bundle leaves it out and carries it as a file of its own
// beside index.js (lib/scoring-function.ts), as it does the SQS client.
export { DynamoDBClient } from '@aws-sdk/client-dynamodb';
export { AlertWindows } from '../alert-digest/alert-windows';
