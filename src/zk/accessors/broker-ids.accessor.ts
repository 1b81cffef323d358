// /brokers/ids/{id}: one ephemeral node per live broker, in Kafka's version-5 registration
// shape (kafka.zk.BrokerIdZNode), so it disappears with the broker's session:
//   {"version":5,"host":"h","port":9092,"rack":null,"endpoints":["PLAINTEXT://h:9092"],
//    "listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"jmx_port":-1,"features":{},
//    "timestamp":"1700000000000"}
// Kafka leaves "rack" out when none is set; we write null (its decoder reads both alike).
// Ours adds "admin_url" once the admin HTTP server listens (where other brokers ask for what
// only this one knows, such as its delay schedulers' stats); Kafka's decoder and clients
// ignore fields they do not know, and a broker without an admin server has none.
import type { MetadataStore } from '../metadata-store';
import { NodeExistsError } from '../metadata-store.errors';
import { ZkPaths } from './zk-paths';

export interface BrokerRegistrationJson {
  version: number;
  host: string;
  port: number;
  rack: string | null;
  endpoints: string[];
  listener_security_protocol_map: Record<string, string>;
  jmx_port: number;
  features: Record<string, never>;
  timestamp: string;
  /** kafkanest: this broker's REST admin, `http://host:port`, reachable from the other brokers. */
  admin_url?: string;
}

export interface BrokerEndpoint {
  name: string;
  host: string;
  port: number;
}

export interface WatchedValue<T> {
  readonly initial: T;
  unsubscribe(): void;
}

export class BrokerAlreadyRegisteredError extends Error {
  constructor(readonly brokerId: number) {
    super(`broker id ${brokerId} is already registered (${ZkPaths.broker(brokerId)} exists, owned by another live session); broker.id must be unique`);
    this.name = 'BrokerAlreadyRegisteredError';
  }
}

export class BrokerIdsAccessor {
  constructor(private readonly store: MetadataStore) {}

  /** Registers this broker; its first endpoint gives the legacy host/port fields. */
  async register(id: number, endpoints: readonly BrokerEndpoint[], rack: string | null = null, adminUrl?: string): Promise<BrokerRegistrationJson> {
    const first = endpoints[0];
    const registration: BrokerRegistrationJson = {
      version: 5,
      host: first?.host ?? '',
      port: first?.port ?? -1,
      rack,
      endpoints: endpoints.map((e) => `${e.name}://${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`),
      // Only plaintext listeners exist so far: every listener name maps to PLAINTEXT.
      listener_security_protocol_map: Object.fromEntries(endpoints.map((e) => [e.name, 'PLAINTEXT'])),
      jmx_port: -1,
      features: {},
      timestamp: String(Date.now()),
      ...(adminUrl ? { admin_url: adminUrl } : {}),
    };
    try {
      await this.store.create(ZkPaths.broker(id), registration as never, { mode: 'ephemeral', createParents: true });
    } catch (err) {
      if (err instanceof NodeExistsError) throw new BrokerAlreadyRegisteredError(id);
      throw err;
    }
    return registration;
  }

  /**
   * Adds (or replaces) the admin URL in this broker's own registration. The timestamp stays:
   * the controller reads it as the broker epoch. False when the node is gone (session lost
   * and not yet restored); the store re-creates its ephemerals with their latest data.
   */
  async setAdminUrl(id: number, adminUrl: string): Promise<boolean> {
    const current = await this.store.get<BrokerRegistrationJson>(ZkPaths.broker(id));
    if (!current) return false;
    await this.store.set(ZkPaths.broker(id), { ...current.value, admin_url: adminUrl } as never, current.version);
    return true;
  }

  async get(id: number): Promise<BrokerRegistrationJson | null> {
    return (await this.store.get<BrokerRegistrationJson>(ZkPaths.broker(id)))?.value ?? null;
  }

  /** Live broker ids, sorted numerically; the listener sees each change of the set. */
  async watchIds(listener: (ids: number[]) => void): Promise<WatchedValue<number[]>> {
    const sub = await this.store.watchChildren(ZkPaths.brokerIds, (event) => listener(toIds(event.children)));
    return { initial: toIds(sub.initial), unsubscribe: () => sub.unsubscribe() };
  }

  async watch(id: number, listener: (registration: BrokerRegistrationJson | null) => void): Promise<WatchedValue<BrokerRegistrationJson | null>> {
    const sub = await this.store.watchData<BrokerRegistrationJson>(ZkPaths.broker(id), (event) => listener(event.node?.value ?? null));
    return { initial: sub.initial?.value ?? null, unsubscribe: () => sub.unsubscribe() };
  }
}

function toIds(children: string[] | null): number[] {
  return (children ?? [])
    .map(Number)
    .filter((id) => Number.isInteger(id))
    .sort((a, b) => a - b);
}

/** Parses a registration's `NAME://host:port` endpoint strings. */
export function parseEndpoints(registration: BrokerRegistrationJson): BrokerEndpoint[] {
  const out: BrokerEndpoint[] = [];
  for (const text of registration.endpoints ?? []) {
    const match = /^([A-Za-z0-9_]+):\/\/\[?([^\]]*?)\]?:(\d+)$/.exec(text);
    if (match) out.push({ name: match[1].toUpperCase(), host: match[2], port: Number(match[3]) });
  }
  return out;
}
