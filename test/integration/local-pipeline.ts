// Test helpers: the synthesized stack, provisioned on real local endpoints, with its real handler.
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { startLocalEndpoints, type LocalEndpoints } from '../../twin/local-endpoints';
import { localClients, provisionFromTemplate, type AwsClients, type LocalFunction, type LocalPipeline } from '../../twin/provision';
import { synthesizePipeline, type SynthesizedPipeline } from '../../twin/synthesize';
import { reportMail } from '../../twin/handler-output';
import { loadHandler, type Handler } from '../../twin/local-function';

export interface TestPipeline {
  synthesized: SynthesizedPipeline;
  endpoints: LocalEndpoints;
  clients: AwsClients;
  pipeline: LocalPipeline;
  stop(): Promise<void>;
}

export async function startTestPipeline(context: Record<string, string>): Promise<TestPipeline> {
  const synthesized = synthesizePipeline(context);
  const endpoints = await startLocalEndpoints();
  const clients = localClients(endpoints);
  const pipeline = await provisionFromTemplate({ ...synthesized, clients });
  return { synthesized, endpoints, clients, pipeline, stop: () => endpoints.stop() };
}

/** A fresh container of `fn`: its module loaded anew, so nothing is cached from another test. */
function freshContainer(test: TestPipeline, fn: LocalFunction, overrides: Record<string, string>): Handler {
  let handler: Handler | undefined;
  jest.isolateModules(() => {
    handler = loadHandler(fn.handlerFile, fn.handlerExport, { ...fn.environment, ...test.endpoints.env, ...overrides });
  });
  return handler!;
}

/** The scoring function, cold-started. */
export function coldStart(test: TestPipeline, overrides: Record<string, string> = {}): Handler {
  return freshContainer(test, test.pipeline.scoringFunction, overrides);
}

/** The alert digest function, as the schedule rule runs it every minute. */
export function alertDigest(test: TestPipeline, overrides: Record<string, string> = {}): () => Promise<{ failureClass: string; outcome: string }[]> {
  const handler = freshContainer(test, test.pipeline.alertDigest!, overrides);
  return () => handler({ source: 'aws.events', 'detail-type': 'Scheduled Event' }) as Promise<{ failureClass: string; outcome: string }[]>;
}

/** Every message in a queue right now (received and deleted). */
export async function drainQueue(sqs: SQSClient, queueUrl: string): Promise<{ body: string; attributes: Record<string, string> }[]> {
  const out: { body: string; attributes: Record<string, string> }[] = [];
  for (;;) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }));
    if (!Messages?.length) return out;
    for (const m of Messages) {
      out.push({
        body: m.Body!,
        attributes: Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? ''])),
      });
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
    }
  }
}

/** E-mails as an e-mail subscriber would receive them: SNS subject and message. */
export async function readMailbox(test: TestPipeline): Promise<{ subject: string; body: string }[]> {
  const mails = [];
  for (const mailbox of test.pipeline.mailboxes) {
    for (const m of await drainQueue(test.clients.sqs, mailbox.queueUrl)) {
      const envelope = JSON.parse(m.body) as { Subject?: string; Message: string };
      mails.push({ subject: envelope.Subject ?? '', body: envelope.Message });
      reportMail(`${envelope.Subject ?? ''}\n${envelope.Message}`);
    }
  }
  return mails;
}
