import { ZkPaths } from './zk-paths';
import { BadArgumentsError } from './metadata-store.errors';

describe('ZkPaths', () => {
  it('builds Kafka’s classic layout', () => {
    expect(ZkPaths.broker(3)).toBe('/brokers/ids/3');
    expect(ZkPaths.topic('orders')).toBe('/brokers/topics/orders');
    expect(ZkPaths.partitionState('orders', 2)).toBe('/brokers/topics/orders/partitions/2/state');
    expect(ZkPaths.controller).toBe('/controller');
    expect(ZkPaths.controllerEpoch).toBe('/controller_epoch');
    expect(ZkPaths.consumerId('g', 'c-1')).toBe('/consumers/g/ids/c-1');
    expect(ZkPaths.owner('g', 'orders', 0)).toBe('/consumers/g/owners/orders/0');
    expect(ZkPaths.offset('g', 'orders', 7)).toBe('/consumers/g/offsets/orders/7');
    expect(ZkPaths.groupGeneration('g')).toBe('/consumers/g/generation');
  });

  it('refuses names that would address another node', () => {
    expect(() => ZkPaths.topic('a/b')).toThrow(BadArgumentsError);
    expect(() => ZkPaths.topic('..')).toThrow(BadArgumentsError);
    expect(() => ZkPaths.consumerGroup('')).toThrow(BadArgumentsError);
    expect(() => ZkPaths.broker(-1)).toThrow(BadArgumentsError);
    expect(() => ZkPaths.partitionState('t', 1.5)).toThrow(BadArgumentsError);
  });
});
