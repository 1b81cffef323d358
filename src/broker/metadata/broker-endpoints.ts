import { formatListener, type ListenerAddress } from '../../config/listener-address';
import type { BrokerInfo } from './metadata-view';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * Where a client that came in on `listenerName` reaches `broker`: the broker's advertised
 * endpoint of the same listener name, as Kafka answers (a broker without that listener is
 * left out of the answer rather than given an address the client cannot use).
 */
export function endpointFor(broker: BrokerInfo, listenerName: string): HostPort | undefined {
  const wanted = listenerName.toUpperCase();
  for (const text of broker.endpoints) {
    const endpoint = parseEndpoint(text);
    if (endpoint?.listenerName.toUpperCase() === wanted) return endpoint;
  }
  return undefined;
}

/** A registered endpoint, `NAME://host:port` (an IPv6 host in brackets); undefined when malformed. */
export function parseEndpoint(text: string): (HostPort & { listenerName: string }) | undefined {
  const match = /^([A-Za-z0-9_]+):\/\/\[?([^\]]*?)\]?:(\d+)$/.exec(text);
  return match ? { listenerName: match[1], host: match[2], port: Number(match[3]) } : undefined;
}

/** Other brokers are reached on this listener (Kafka's default inter.broker.listener.name). */
const INTER_BROKER_LISTENER = 'PLAINTEXT';

/** Where another broker reaches `broker`: its inter-broker listener, else its registered host and port. */
export function interBrokerEndpoint(broker: BrokerInfo): HostPort {
  return endpointFor(broker, INTER_BROKER_LISTENER) ?? { host: broker.host, port: broker.port };
}

/** This broker as a BrokerInfo from its own listeners, for the moment before its registration is visible. */
export function selfAsBroker(id: number, advertised: readonly ListenerAddress[]): BrokerInfo | undefined {
  const first = advertised[0];
  if (!first) return undefined;
  return {
    id,
    host: first.host,
    port: first.port,
    rack: null,
    endpoints: advertised.map(formatListener),
  };
}

/** Live brokers as clients on `listenerName` see them: id, host, port, rack. */
export function brokersForListener(
  brokers: readonly BrokerInfo[],
  listenerName: string,
  self: BrokerInfo | undefined,
): { id: number; host: string; port: number; rack: string | null }[] {
  const all = self && !brokers.some((b) => b.id === self.id) ? [...brokers, self].sort((a, b) => a.id - b.id) : brokers;
  const out: { id: number; host: string; port: number; rack: string | null }[] = [];
  for (const broker of all) {
    const endpoint = endpointFor(broker, listenerName);
    if (endpoint) out.push({ id: broker.id, host: endpoint.host, port: endpoint.port, rack: broker.rack });
  }
  return out;
}
