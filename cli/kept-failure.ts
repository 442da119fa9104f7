// Why a kept message was kept, for `drs redrive --dry-run`: the failure class and, for a rejected
// event, the field and rule it broke; for a failed one, the error's name or code. Read from the
// kept record and the message attributes Lambda and EventBridge add, never from the donor data.
import type { KeptShape } from './kept-event';

export type KeptFailureClass = 'rejected' | 'model' | 'failed' | 'undelivered' | 'unknown';

export interface KeptFailure {
  failureClass: KeptFailureClass;
  field?: string;
  rule?: string;
  /** An error name or code (never a message, which could quote input). */
  error?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v.slice(0, 200) : undefined);

/** Names of message attributes as SQS returns them: `{ ErrorCode: { StringValue } }`. */
export type MessageAttributes = Record<string, { StringValue?: string } | undefined>;

export function keptFailureOf(record: Record<string, unknown>, shape: KeptShape, attributes: MessageAttributes = {}): KeptFailure {
  const attribute = (name: string) => text(attributes[name]?.StringValue);
  if (shape === 'rejected') {
    const reason = isObject(record.reason) ? record.reason : {};
    return { failureClass: 'rejected', field: text(reason.field), rule: text(reason.rule) };
  }
  if (shape === 'on-failure') {
    // Lambda's on-failure record: responsePayload holds the last attempt's errorType and errorMessage.
    const response = isObject(record.responsePayload) ? record.responsePayload : {};
    const errorType = text(response.errorType);
    return { failureClass: errorType === 'ModelIntegrityError' ? 'model' : 'failed', error: errorType ?? text(isObject(record.requestContext) ? record.requestContext.condition : undefined) };
  }
  // A bare event: EventBridge's dead-letter messages carry RULE_ARN and ERROR_CODE, Lambda's ErrorCode.
  if (attribute('RULE_ARN') || attribute('ERROR_CODE')) return { failureClass: 'undelivered', error: attribute('ERROR_CODE') };
  if (attribute('ErrorCode') || attribute('RequestID')) return { failureClass: 'failed', error: attribute('ErrorCode') };
  return { failureClass: 'unknown' };
}
