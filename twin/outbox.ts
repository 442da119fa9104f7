// The local mailbox: what each e-mail subscriber of an alert topic would receive, read from the
// SQS queue subscribed in their place, written as .eml files a mail client can open.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { reportMail } from './handler-output';
import type { AwsClients, LocalPipeline } from './provision';

export interface Mail {
  to: string[];
  subject: string;
  body: string;
  date: string;
  topicArn: string;
}

export async function drainMailboxes(clients: AwsClients, pipeline: LocalPipeline): Promise<Mail[]> {
  const mails: Mail[] = [];
  for (const mailbox of pipeline.mailboxes) {
    for (;;) {
      const { Messages } = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: mailbox.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (!Messages?.length) break;
      for (const m of Messages) {
        const sns = JSON.parse(m.Body!) as { Subject?: string; Message: string; Timestamp?: string; TopicArn?: string };
        mails.push({ to: mailbox.emails, subject: sns.Subject ?? '', body: sns.Message, date: sns.Timestamp ?? new Date().toISOString(), topicArn: mailbox.topicArn });
        await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: mailbox.queueUrl, ReceiptHandle: m.ReceiptHandle! }));
      }
    }
  }
  return mails;
}

/** One .eml per message per subscriber, as SNS sends one e-mail to each confirmed address. */
export function writeOutbox(dir: string, mails: Mail[]): string[] {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  mails.forEach((mail, i) => {
    for (const to of mail.to) {
      const file = join(dir, `${String(i + 1).padStart(4, '0')}-${to.replace(/[^A-Za-z0-9@._-]/g, '_')}.eml`);
      const eml = [
        'From: AWS Notifications <no-reply@sns.amazonaws.com>',
        `To: ${to}`,
        `Subject: ${mail.subject}`,
        `Date: ${new Date(mail.date).toUTCString()}`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=UTF-8',
        `X-Topic-Arn: ${mail.topicArn}`,
        '',
        mail.body,
        '',
      ].join('\r\n');
      writeFileSync(file, eml);
      reportMail(eml);
      files.push(file);
    }
  });
  return files;
}
