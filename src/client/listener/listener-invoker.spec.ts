import { ListenerInvoker } from './listener-invoker';
import type { ListenerParameter } from './listener-parameters.decorator';
import { KafkaHeaders, type Acknowledgment, type ConsumerRecord } from './types';

const record = (offset: number, value: string, headers: ConsumerRecord['headers'] = []): ConsumerRecord => ({
  topic: 'orders',
  partition: 3,
  offset,
  timestamp: 1000 + offset,
  timestampType: 'CreateTime',
  key: `k${offset}`,
  value,
  headers,
});

function invoker(parameters: ListenerParameter[]) {
  const calls: unknown[][] = [];
  const target = { calls };
  const method = function (this: typeof target, ...args: unknown[]) {
    this.calls.push(args);
  };
  return { calls, invoker: new ListenerInvoker(target, method, { parameters }) };
}

describe('ListenerInvoker', () => {
  const ack: Acknowledgment = { acknowledge: () => undefined };

  it('passes each parameter what it asks for, with the method bound to its instance', async () => {
    const { calls, invoker: i } = invoker([
      { index: 0, kind: 'payload' },
      { index: 1, kind: 'key' },
      { index: 2, kind: 'headers' },
      { index: 3, kind: 'header', headerName: 'trace' },
      { index: 4, kind: 'header', headerName: KafkaHeaders.RECEIVED_TOPIC },
      { index: 5, kind: 'header', headerName: KafkaHeaders.OFFSET },
      { index: 6, kind: 'header', headerName: KafkaHeaders.GROUP_ID },
      { index: 7, kind: 'header', headerName: 'absent' },
      { index: 8, kind: 'record' },
      { index: 9, kind: 'acknowledgment' },
    ]);
    const r = record(7, 'v', [
      { key: 'trace', value: Buffer.from('1') },
      { key: 'trace', value: Buffer.from('2') },
      { key: 'empty', value: null },
    ]);
    await i.invokeRecord(r, { acknowledgment: ack, groupId: 'billing' });
    expect(calls).toEqual([['v', 'k7', { trace: Buffer.from('2'), empty: null }, Buffer.from('2'), 'orders', 7, 'billing', undefined, r, ack]]);
  });

  it('gives a batch listener lists, one Acknowledgment for the batch', async () => {
    const { calls, invoker: i } = invoker([
      { index: 0, kind: 'payload' },
      { index: 1, kind: 'header', headerName: KafkaHeaders.RECEIVED_PARTITION },
      { index: 2, kind: 'record' },
      { index: 3, kind: 'acknowledgment' },
    ]);
    const batch = [record(1, 'a'), record(2, 'b')];
    await i.invokeBatch(batch, { acknowledgment: ack });
    expect(calls).toEqual([[['a', 'b'], [3, 3], batch, ack]]);
  });

  it('awaits an async listener and passes its rejection on', async () => {
    const i = new ListenerInvoker({}, async () => Promise.reject(new Error('listener failed')), { parameters: [] });
    await expect(i.invokeRecord(record(0, 'x'))).rejects.toThrow('listener failed');
    const sync = new ListenerInvoker(
      {},
      () => {
        throw new TypeError('sync failure');
      },
      { parameters: [] },
    );
    await expect(sync.invokeBatch([record(0, 'x')])).rejects.toThrow(TypeError);
  });
});
