/** Coded errors of the SQS capability; `sqsErrorType` in api.ts gives each its SQS exception. */
import { defineErrors } from '../core/errors.ts';

export const SqsErrors = defineErrors('SQS', {
  QUEUE_NOT_FOUND: {
    status: 404,
    kind: 'user',
    message: 'queue {name} does not exist',
    hint: 'create it (CreateQueue, or `nimbus queues create`); ListQueues shows your tenant’s queues',
  },
  QUEUE_EXISTS: {
    status: 409,
    kind: 'user',
    message: 'queue {name} already exists with different attributes ({attribute})',
    hint: 'change attributes with SetQueueAttributes; CreateQueue only creates',
  },
  INVALID_NAME: {
    status: 400,
    kind: 'user',
    message: 'invalid queue name {name}: {reason}',
    hint: 'use 1-80 characters of A-Z a-z 0-9 _ -, ending in .fifo for a FIFO queue',
  },
  INVALID_ATTRIBUTE_NAME: {
    status: 400,
    kind: 'user',
    message: 'unknown or read-only attribute {name}',
  },
  INVALID_ATTRIBUTE_VALUE: {
    status: 400,
    kind: 'user',
    message: 'invalid value for {name}: {reason}',
  },
  INVALID_PARAMETER: {
    status: 400,
    kind: 'user',
    message: 'invalid value for {field}: {reason}',
  },
  MISSING_PARAMETER: {
    status: 400,
    kind: 'user',
    message: 'the request must contain the parameter {field}',
  },
  INVALID_MESSAGE_CONTENTS: {
    status: 400,
    kind: 'user',
    message: 'the message contains characters outside the allowed set ({where})',
    hint: 'allowed: #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF; base64 binary data',
  },
  MESSAGE_TOO_LONG: {
    status: 400,
    kind: 'user',
    message: 'the message is {size} bytes; the queue’s MaximumMessageSize is {limit}',
    hint: 'store large payloads in a bucket and send their key',
  },
  RECEIPT_HANDLE_INVALID: {
    status: 400,
    kind: 'user',
    message: 'the receipt handle is not valid for this queue',
  },
  MESSAGE_NOT_INFLIGHT: {
    status: 400,
    kind: 'user',
    message: 'the message is not in flight (its receipt handle expired or it was received again)',
  },
  UNSUPPORTED: {
    status: 400,
    kind: 'user',
    message: '{operation} is not supported by Nimbus',
    hint: 'queue access is governed by the callers’ IAM policies (queue resource policies are stored, not evaluated)',
  },
  RESOURCE_NOT_FOUND: {
    status: 404,
    kind: 'user',
    message: 'the resource that you specified for the {field} parameter does not exist ({arn})',
    hint: 'give the ARN of a queue of your account and region (its QueueArn attribute; `GET /v1/sqs/queues` lists them)',
  },
  MOVE_SOURCE_NOT_DLQ: {
    status: 400,
    kind: 'user',
    message:
      'queue {name} is not the dead-letter queue of any queue: only a dead-letter queue’s messages can be moved',
    hint: 'start the task on a queue that another queue’s RedrivePolicy names as its deadLetterTargetArn (ListDeadLetterSourceQueues shows which queues use it)',
  },
  MOVE_DESTINATION_INVALID: {
    status: 400,
    kind: 'user',
    message: 'cannot move messages from {source} to {destination}: {reason}',
  },
  MOVE_TASK_ACTIVE: {
    status: 409,
    kind: 'user',
    message: 'queue {name} already has a message move task running ({id}); a queue runs one at a time',
    hint: 'wait for it to end (ListMessageMoveTasks), or cancel it (CancelMessageMoveTask)',
  },
  MOVE_TASK_NOT_FOUND: {
    status: 404,
    kind: 'user',
    message: 'no message move task {id}',
    hint: 'ListMessageMoveTasks on its source queue shows the task handle of a running task',
  },
  MOVE_TASK_NOT_RUNNING: {
    status: 409,
    kind: 'user',
    message: 'message move task {id} is {status}: only a running task can be cancelled',
  },
  BATCH_EMPTY: { status: 400, kind: 'user', message: 'the batch request contains no entries' },
  BATCH_TOO_MANY: {
    status: 400,
    kind: 'user',
    message: 'the batch request contains {count} entries; the limit is 10',
  },
  BATCH_IDS_NOT_DISTINCT: {
    status: 400,
    kind: 'user',
    message: 'two batch entries have the id {id}',
  },
  BATCH_ID_INVALID: {
    status: 400,
    kind: 'user',
    message: 'invalid batch entry id {id}: use 1-80 characters of A-Z a-z 0-9 _ -',
  },
  BATCH_TOO_LONG: {
    status: 400,
    kind: 'user',
    message: 'the batch’s messages total {size} bytes; the limit is {limit}',
  },
});
