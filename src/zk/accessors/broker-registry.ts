// /brokers/ids/{id}: one ephemeral node per live broker, in Kafka's JSON (BrokerIdZNode
// version 5), so Kafka's own tools and zkCli read our registrations as Kafka's.
import type { ChildrenSubscription, MetadataStore } from '../metadata-store';
import { ZkPaths } from '../zk-paths';
import { ignoreNoNode, isNoNode } from './missing-node';

export interface BrokerRegistration {
  brokerId: number;
  host: string;
  port: number;
  rack?: string;
  /** e.g. ['PLAINTEXT://host:9092']; defaults to the one PLAINTEXT endpoint. */
  endpoints?: string[];
}

export interface RegisteredBroker extends Required<Omit<BrokerRegistration, 'rack'>> {
  rack?: string;
  /** Registration time, ms since the epoch. */
  timestamp: number;
}

/** The node's JSON, as Kafka writes it (timestamp is a string there). */
interface BrokerJson {
  version: number;
  host: string;
  port: number;
  endpoints: string[];
  listener_security_protocol_map: Record<string, string>;
  jmx_port: number;
  timestamp: string;
  rack?: string;
  features: Record<string, never>;
}

export class BrokerRegistry {
  constructor(private readonly store: MetadataStore) {}

  /** Creates the ephemeral registration; NodeExistsError if that id is live elsewhere. */
  async register(broker: BrokerRegistration, now = Date.now()): Promise<void> {
    const endpoints = broker.endpoints ?? [`PLAINTEXT://${broker.host}:${broker.port}`];
    const json: BrokerJson = {
      version: 5,
      host: broker.host,
      port: broker.port,
      endpoints,
      listener_security_protocol_map: Object.fromEntries(endpoints.map((e) => e.split('://')[0]).map((l) => [l, l])),
      jmx_port: -1,
      timestamp: String(now),
      ...(broker.rack !== undefined ? { rack: broker.rack } : {}),
      features: {},
    };
    await this.store.create(ZkPaths.broker(broker.brokerId), json as never, { mode: 'ephemeral', createParents: true });
  }

  async deregister(brokerId: number): Promise<void> {
    await this.store.delete(ZkPaths.broker(brokerId)).catch(ignoreNoNode);
  }

  async get(brokerId: number): Promise<RegisteredBroker | null> {
    const node = await this.store.get<BrokerJson>(ZkPaths.broker(brokerId));
    return node ? fromJson(brokerId, node.value) : null;
  }

  /** Live broker ids, ascending. */
  async ids(): Promise<number[]> {
    const names = await this.store.children(ZkPaths.brokerIds).catch((err) => (isNoNode(err) ? [] : Promise.reject(err)));
    return toIds(names);
  }

  async all(): Promise<RegisteredBroker[]> {
    const brokers = await Promise.all((await this.ids()).map((id) => this.get(id)));
    return brokers.filter((b): b is RegisteredBroker => b !== null);
  }

  /** Calls back with the live ids after every registration change; initial ids in the result. */
  async watchIds(listener: (ids: number[]) => void): Promise<{ initial: number[]; unsubscribe: ChildrenSubscription['unsubscribe'] }> {
    const sub = await this.store.watchChildren(ZkPaths.brokerIds, (e) => listener(toIds(e.children ?? [])));
    return { initial: toIds(sub.initial ?? []), unsubscribe: sub.unsubscribe };
  }
}

function fromJson(brokerId: number, json: BrokerJson): RegisteredBroker {
  return {
    brokerId,
    host: json.host,
    port: json.port,
    endpoints: json.endpoints ?? [`PLAINTEXT://${json.host}:${json.port}`],
    ...(json.rack !== undefined ? { rack: json.rack } : {}),
    timestamp: Number(json.timestamp),
  };
}

function toIds(names: string[]): number[] {
  return names
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);
}
