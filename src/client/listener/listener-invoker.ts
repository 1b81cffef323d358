import type { ListenerEndpoint } from './listener-endpoint';
import type { ListenerParameter } from './listener-parameters.decorator';
import { KafkaHeaders, type Acknowledgment, type ConsumerRecord, type ListenerHeaders } from './types';

/** What one call of the listener is about, beside its records. */
export interface InvocationExtras {
  readonly acknowledgment?: Acknowledgment;
  readonly groupId?: string;
}

type RecordArgument = (record: ConsumerRecord, extras: InvocationExtras) => unknown;
type BatchArgument = (records: readonly ConsumerRecord[], extras: InvocationExtras) => unknown;

/**
 * Calls a @KafkaListener method with the arguments its parameters ask for (Spring's
 * MessagingMessageListenerAdapter): the value by default, @Key, @Headers, @Header(name),
 * @Record, @Ack; for a batch listener each is the list over the batch's records,
 * except the Acknowledgment, which covers the batch. Argument builders are made once
 * per listener, not per record.
 */
export class ListenerInvoker {
  private readonly recordArguments: readonly RecordArgument[];
  private readonly batchArguments: readonly BatchArgument[];

  constructor(
    private readonly target: object,
    private readonly method: (...args: unknown[]) => unknown,
    endpoint: Pick<ListenerEndpoint, 'parameters'>,
  ) {
    this.recordArguments = endpoint.parameters.map(recordArgument);
    this.batchArguments = endpoint.parameters.map(batchArgument);
  }

  /** Runs the listener for one record; resolves when it has (an async listener is awaited). */
  async invokeRecord(record: ConsumerRecord, extras: InvocationExtras = {}): Promise<void> {
    const args = this.recordArguments.map((argument) => argument(record, extras));
    await this.method.apply(this.target, args);
  }

  async invokeBatch(records: readonly ConsumerRecord[], extras: InvocationExtras = {}): Promise<void> {
    const args = this.batchArguments.map((argument) => argument(records, extras));
    await this.method.apply(this.target, args);
  }
}

function recordArgument(parameter: ListenerParameter): RecordArgument {
  switch (parameter.kind) {
    case 'payload':
      return (r) => r.value;
    case 'key':
      return (r) => r.key;
    case 'headers':
      return (r) => headersOf(r);
    case 'header': {
      const name = parameter.headerName!;
      return (r, extras) => headerOf(r, name, extras);
    }
    case 'record':
      return (r) => r;
    case 'acknowledgment':
      return (_r, extras) => extras.acknowledgment;
  }
}

function batchArgument(parameter: ListenerParameter): BatchArgument {
  if (parameter.kind === 'acknowledgment') return (_records, extras) => extras.acknowledgment;
  if (parameter.kind === 'record') return (records) => [...records];
  const single = recordArgument(parameter);
  return (records, extras) => records.map((r) => single(r, extras));
}

/** The record's headers by key, the last of a repeated key winning (Spring's header mapper). */
export function headersOf(record: ConsumerRecord): ListenerHeaders {
  const out: ListenerHeaders = {};
  for (const h of record.headers) out[h.key] = h.value;
  return out;
}

/** One of KafkaHeaders' facts about the record, else the last record header of that name (undefined when absent). */
function headerOf(record: ConsumerRecord, name: string, extras: InvocationExtras): unknown {
  switch (name) {
    case KafkaHeaders.RECEIVED_TOPIC:
      return record.topic;
    case KafkaHeaders.RECEIVED_PARTITION:
      return record.partition;
    case KafkaHeaders.OFFSET:
      return record.offset;
    case KafkaHeaders.RECEIVED_KEY:
      return record.key;
    case KafkaHeaders.RECEIVED_TIMESTAMP:
      return record.timestamp;
    case KafkaHeaders.TIMESTAMP_TYPE:
      return record.timestampType;
    case KafkaHeaders.GROUP_ID:
      return extras.groupId;
  }
  for (let i = record.headers.length - 1; i >= 0; i--) if (record.headers[i].key === name) return record.headers[i].value;
  return undefined;
}
