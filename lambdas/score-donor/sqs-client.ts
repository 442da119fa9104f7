// The SQS client, loaded at the first send to a queue (rejected or failed events), not at cold
// start. The scoring function's bundle leaves it out and carries it as a file of its own beside
// index.js (lib/scoring-function.ts), so a cold start does not even compile it.
export { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
