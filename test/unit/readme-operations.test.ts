// The README's operating instructions for DevOps (issue 11): what a person needs on day two is there.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
const section = (heading: string) => {
  const start = readme.indexOf(`### ${heading}\n`);
  if (start < 0) throw new Error(`README has no section "${heading}"`);
  const end = readme.indexOf('\n#', start + heading.length + 5);
  return readme.slice(start, end < 0 ? undefined : end);
};

describe('README, day two', () => {
  it('ships a new model with the deploy step and a check that the subscribers are still confirmed', () => {
    const text = section('Shipping a new model version');
    expect(text).toContain('npx cdk deploy -c stage=prod');
    expect(text).toContain('aws sns list-subscriptions-by-topic');
    expect(text).toContain('PendingConfirmation');
  });

  it('changes who gets alerts by editing the stage file, deploying and confirming the subscription', () => {
    const text = section('Change who gets alerts');
    expect(text).toContain('config/<stage>.json');
    expect(text).toContain('npx cdk deploy -c stage=prod');
    expect(text).toContain('Confirm subscription');
    expect(text).toContain('aws sns list-subscriptions-by-topic');
  });

  it('says redrive needs kms:Decrypt on the stack key', () => {
    expect(section('Redrive')).toMatch(/kms:Decrypt.*stack's key.*DataKeyArn/s);
  });

  it('says how to purge a queue, and what clears the rejected-events alarm', () => {
    expect(section('Purge a queue once its messages are judged')).toContain('aws sqs purge-queue');
    expect(section('Reading an alarm')).toMatch(/What clears an alarm.*rejected-events queue/s);
  });

  it('says when to ask for a concurrency quota increase, and the quota-minus-100 rule', () => {
    const text = section('Concurrency and quotas');
    expect(text).toContain('Service Quotas');
    expect(text).toMatch(/fewer than \*\*100\*\* unreserved/);
  });
});
