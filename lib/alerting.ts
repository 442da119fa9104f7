// The alert topic: the team's mailbox for failures. Encrypted with the stack's key (whose policy
// lets CloudWatch and EventBridge publish), TLS only, one e-mail subscription per address.
import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface AlertingProps {
  key: IKey;
  stage: string;
  alertEmails: string[];
}

export class Alerting extends Construct {
  public readonly topic: Topic;

  constructor(scope: Construct, id: string, props: AlertingProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', {
      displayName: `Donor readiness alerts (${props.stage})`,
      masterKey: props.key,
      enforceSSL: true,
    });
    props.alertEmails.forEach((email) => this.topic.addSubscription(new EmailSubscription(email)));
    if (props.alertEmails.length === 0) {
      Annotations.of(this).addWarningV2(
        'drs:NoAlertEmails',
        'No alert e-mail addresses: failures will reach the alert topic but nobody is told. List them in config/<stage>.json ("alertEmails") and deploy again',
      );
    }
  }

  /**
   * Lets CloudWatch publish these alarms' notifications to the topic. The topic policy otherwise
   * holds only enforceSSL's deny, and an alarm action would never be delivered.
   */
  allowAlarmsToPublish(alarms: Alarm[]): void {
    if (alarms.length === 0) return;
    const stack = Stack.of(this);
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnEquals: { 'aws:SourceArn': alarms.map((alarm) => alarm.alarmArn) },
        },
      }),
    );
  }

  /** An alarm (and its recovery) whenever a queue holds any message: each one is an event to look at. */
  alarmOnQueueDepth(
    id: string,
    queue: IQueue,
    what: string,
    eachMessage = 'a DonorUpdated event that was not scored',
    // What to do once the cause is fixed: kept events are redriven; a queue drs redrive cannot take says so.
    afterTheFix = `redrive the events kept in ${queue.queueName} (README, Redrive)`,
  ): Alarm {
    const alarm = new Alarm(this, id, {
      alarmDescription: `${what} Each message is ${eachMessage}. Read the alert e-mails and logs, fix the cause, then ${afterTheFix}`,
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    return alarm;
  }
}
