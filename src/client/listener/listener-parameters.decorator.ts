import 'reflect-metadata';

/**
 * What a listener method parameter receives. For a batch listener each is the list
 * over the batch's records (values, keys, headers, records), except the
 * Acknowledgment, which covers the whole batch.
 */
export type ListenerParameterKind = 'payload' | 'key' | 'headers' | 'header' | 'acknowledgment' | 'record';

export interface ListenerParameter {
  readonly index: number;
  readonly kind: ListenerParameterKind;
  /** For 'header': the header's name (a record header, or one of KafkaHeaders). */
  readonly headerName?: string;
}

const LISTENER_PARAMETERS = 'kafkanest:listener-parameters';

function listenerParameter(kind: ListenerParameterKind, headerName?: string): ParameterDecorator {
  return (target, propertyKey, index) => {
    if (propertyKey === undefined) throw new TypeError(`@${decoratorName(kind)}() marks a listener method parameter, not a constructor parameter`);
    const declared: ListenerParameter[] = Reflect.getOwnMetadata(LISTENER_PARAMETERS, target, propertyKey) ?? [];
    const parameter: ListenerParameter = headerName === undefined ? { index, kind } : { index, kind, headerName };
    Reflect.defineMetadata(LISTENER_PARAMETERS, [...declared, parameter], target, propertyKey);
  };
}

/** The deserialized value (the default for a single undecorated parameter). */
export const Payload = (): ParameterDecorator => listenerParameter('payload');
/** The deserialized key. */
export const Key = (): ParameterDecorator => listenerParameter('key');
/** All headers by name (ListenerHeaders). */
export const Headers = (): ParameterDecorator => listenerParameter('headers');
/** One header's value, or one of KafkaHeaders (received topic, partition, offset, ...). */
export const Header = (name: string): ParameterDecorator => {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('@Header(name) needs a header name');
  return listenerParameter('header', name);
};
/** The Acknowledgment; needs ack-mode MANUAL or MANUAL_IMMEDIATE. */
export const Ack = (): ParameterDecorator => listenerParameter('acknowledgment');
/** The whole ConsumerRecord. */
export const Record = (): ParameterDecorator => listenerParameter('record');

/** The decorated parameters of a listener method, in parameter order. */
export function listenerParametersOf(prototype: object, methodName: string | symbol): ListenerParameter[] {
  const declared: ListenerParameter[] = Reflect.getMetadata(LISTENER_PARAMETERS, prototype, methodName) ?? [];
  return [...declared].sort((a, b) => a.index - b.index);
}

export function decoratorName(kind: ListenerParameterKind): string {
  const names: { [K in ListenerParameterKind]: string } = {
    payload: 'Payload',
    key: 'Key',
    headers: 'Headers',
    header: 'Header',
    acknowledgment: 'Ack',
    record: 'Record',
  };
  return names[kind];
}
