import type { RequestContext } from '../api/kafka-api-handler';
import type { BrokerInfo, MetadataChange, MetadataView } from '../metadata/metadata-view';
import { DelayPeerCheck } from './delay-peer-check';

const SELF = 0;

type PeerView = Pick<MetadataView, 'localBrokerId' | 'broker' | 'onChange'> & { change(): void };

function view(brokers: BrokerInfo[]): PeerView {
  const listeners = new Set<(change: MetadataChange) => void>();
  return {
    localBrokerId: SELF,
    broker: (id) => brokers.find((b) => b.id === id),
    onChange: (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    change: () => listeners.forEach((l) => l({ kind: 'brokers', brokers })),
  };
}

function broker(id: number, host: string): BrokerInfo {
  return { id, host, port: 9092, rack: null, endpoints: [`PLAINTEXT://${host.includes(':') ? `[${host}]` : host}:9092`] };
}

function ctx(clientId: string | null, remoteAddress: string): RequestContext {
  return { apiVersion: 8, correlationId: 1, clientId, connection: { id: 1, listenerName: 'PLAINTEXT', remoteAddress, remotePort: 50_000 } };
}

describe('DelayPeerCheck', () => {
  const cluster = [broker(SELF, '127.0.0.1'), broker(1, '127.0.0.1'), broker(2, '10.1.2.3'), broker(3, 'fd00::7'), broker(4, 'localhost')];
  let check: DelayPeerCheck;

  beforeEach(() => {
    check = new DelayPeerCheck(view(cluster));
  });

  it('answers at once, without a lookup, for every other client id', () => {
    expect(check.isDelayBroker(ctx('kafkajs', '10.1.2.3'))).toBe(false);
    expect(check.isDelayBroker(ctx(null, '10.1.2.3'))).toBe(false);
    expect(check.isDelayBroker(undefined)).toBe(false);
  });

  it('trusts another live broker connecting from the address it registered', async () => {
    await expect(check.isDelayBroker(ctx('kafkanest-delay-broker-2', '10.1.2.3'))).resolves.toBe(true);
    await expect(check.isDelayBroker(ctx('kafkanest-delay-broker-3', 'fd00::7'))).resolves.toBe(true);
  });

  it('matches an IPv4 peer reported as IPv4-mapped IPv6 on a dual-stack socket', async () => {
    await expect(check.isDelayBroker(ctx('kafkanest-delay-broker-2', '::ffff:10.1.2.3'))).resolves.toBe(true);
  });

  it('treats every loopback address as the same host (127.0.0.0/8, ::1, a broker advertising localhost)', async () => {
    await expect(check.isDelayBroker(ctx('kafkanest-delay-broker-1', '::ffff:127.0.0.1'))).resolves.toBe(true);
    await expect(check.isDelayBroker(ctx('kafkanest-delay-broker-1', '::1'))).resolves.toBe(true);
    await expect(check.isDelayBroker(ctx('kafkanest-delay-broker-4', '127.0.0.1'))).resolves.toBe(true);
  });

  it('refuses the id of a live broker from another address', async () => {
    await expect(check.isDelayBroker(ctx('kafkanest-delay-broker-2', '10.1.2.4'))).resolves.toBe(false);
    await expect(check.isDelayBroker(ctx('kafkanest-delay-broker-2', '127.0.0.1'))).resolves.toBe(false);
    await expect(check.isDelayBroker(ctx('kafkanest-delay-broker-1', '10.1.2.3'))).resolves.toBe(false);
  });

  it('refuses this broker’s own id, an unregistered id and a malformed one, from any address', () => {
    expect(check.isDelayBroker(ctx(`kafkanest-delay-broker-${SELF}`, '127.0.0.1'))).toBe(false);
    expect(check.isDelayBroker(ctx('kafkanest-delay-broker-9', '127.0.0.1'))).toBe(false);
    expect(check.isDelayBroker(ctx('kafkanest-delay-broker-', '127.0.0.1'))).toBe(false);
    expect(check.isDelayBroker(ctx('kafkanest-delay-broker-1x', '127.0.0.1'))).toBe(false);
    expect(check.isDelayBroker(ctx('kafkanest-delay-broker--1', '127.0.0.1'))).toBe(false);
  });

  it('follows a broker that registers again at a new address', async () => {
    const brokers = [broker(SELF, '127.0.0.1'), broker(2, '10.1.2.3')];
    const metadata = view(brokers);
    check = new DelayPeerCheck(metadata);
    await expect(check.isDelayBroker(ctx('kafkanest-delay-broker-2', '10.1.2.3'))).resolves.toBe(true);
    brokers[1] = broker(2, '10.9.9.9');
    metadata.change();
    await expect(check.isDelayBroker(ctx('kafkanest-delay-broker-2', '10.1.2.3'))).resolves.toBe(false);
    await expect(check.isDelayBroker(ctx('kafkanest-delay-broker-2', '10.9.9.9'))).resolves.toBe(true);
  });
});
