// Where DonorUpdated events enter: the registry's bus (created or attached), the rule that matches
// them, and the target's retry policy and dead-letter queue so an undeliverable event is kept.
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { EventBus, Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { encryptedQueue } from './encrypted-queue';

export interface EventIntakeProps {
  key: IKey;
  /** Attach to this existing bus; when absent, create `createdBusName`. */
  existingEventBusName?: string;
  createdBusName: string;
  /** The rule's name, given so the alarms can use the plain name EventBridge publishes metrics under. */
  ruleName: string;
  /** For the undelivered-events queue: kept events outlive the stack except in dev. */
  removalPolicy: RemovalPolicy;
  eventSource: string;
  detailType: string;
  target: IFunction;
}

export class EventIntake extends Construct {
  public readonly eventBus: IEventBus;
  public readonly rule: Rule;
  /** The bus's name as EventBridge reports it in metrics (a literal, or the created bus's Ref). */
  public readonly eventBusName: string;
  public readonly isDefaultBus: boolean;
  /** Events the rule could not deliver to the function after all retries. */
  public readonly undeliveredQueue: Queue;

  constructor(scope: Construct, id: string, props: EventIntakeProps) {
    super(scope, id);
    this.eventBus = props.existingEventBusName
      ? EventBus.fromEventBusName(this, 'Bus', props.existingEventBusName)
      : new EventBus(this, 'Bus', { eventBusName: props.createdBusName, description: 'DonorUpdated events from the registry' });
    this.eventBusName = this.eventBus.eventBusName;
    this.isDefaultBus = props.existingEventBusName === 'default';
    this.undeliveredQueue = encryptedQueue(this, 'Undelivered', props.key, { removalPolicy: props.removalPolicy });
    this.rule = new Rule(this, 'DonorUpdatedRule', {
      ruleName: props.ruleName,
      eventBus: this.eventBus,
      description: 'Every DonorUpdated event goes to the scoring function',
      eventPattern: { source: [props.eventSource], detailType: [props.detailType] },
    });
    this.rule.addTarget(
      new LambdaFunction(props.target, {
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
        deadLetterQueue: this.undeliveredQueue,
      }),
    );
  }
}
