import { ErrorCode } from '../../protocol/errors/error-codes';
import { FindCoordinatorHandler } from './10-find-coordinator.handler';
import type { RequestContext } from '../api/kafka-api-handler';
import { MetadataCoordinatorCluster } from '../metadata/coordinator-cluster.adapter';
import type { BrokerInfo } from '../metadata/metadata-view';

function handlerWith(brokers: BrokerInfo[]): FindCoordinatorHandler {
  const cache = { localBrokerId: brokers[0]?.id ?? 0, liveBrokers: () => brokers } as never;
  const server = { advertisedListeners: [] } as never;
  return new FindCoordinatorHandler(cache, server, new MetadataCoordinatorCluster(cache));
}

const broker = (id: number): BrokerInfo => ({ id, host: `h${id}`, port: 9090 + id, rack: null, endpoints: [`PLAINTEXT://h${id}:${9090 + id}`] });
const ctx = (apiVersion: number): RequestContext => ({ apiVersion, correlationId: 1, clientId: 'c', connection: { id: 1, listenerName: 'PLAINTEXT', remoteAddress: '127.0.0.1', remotePort: 1 } });

describe('FindCoordinatorHandler', () => {
  it('names the only broker as the coordinator of any group (v0-v3 top-level answer)', () => {
    const res = handlerWith([broker(0)]).handle({ key: 'orders', keyType: 0, coordinatorKeys: [] }, ctx(3));
    expect(res).toMatchObject({ errorCode: ErrorCode.NONE, nodeId: 0, host: 'h0', port: 9090 });
  });

  it('answers every key of a batched v4+ request, the same broker for the same group each time', () => {
    const handler = handlerWith([broker(0), broker(1), broker(2)]);
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    const first = handler.handle({ key: '', keyType: 0, coordinatorKeys: keys }, ctx(4)).coordinators;
    const again = handler.handle({ key: '', keyType: 0, coordinatorKeys: keys }, ctx(4)).coordinators;
    expect(first.map((c) => c.key)).toEqual(keys);
    expect(again).toEqual(first);
    expect(first.every((c) => c.errorCode === ErrorCode.NONE && [0, 1, 2].includes(c.nodeId))).toBe(true);
    expect(new Set(first.map((c) => c.nodeId)).size).toBeGreaterThan(1);
  });

  it('refuses transaction coordinators and empty group ids with Kafka error codes', () => {
    const handler = handlerWith([broker(0)]);
    expect(handler.handle({ key: 'tx', keyType: 1, coordinatorKeys: [] }, ctx(3)).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect(handler.handle({ key: '', keyType: 0, coordinatorKeys: [] }, ctx(3)).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
  });
});
