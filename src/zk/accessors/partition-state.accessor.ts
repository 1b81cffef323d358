// /brokers/topics/{topic}/partitions/{p}/state: leader and ISR, written by the controller,
// Kafka's version-1 shape (kafka.zk.TopicPartitionStateZNode):
//   {"controller_epoch":M,"leader":L,"version":1,"leader_epoch":E,"isr":[...]}
// leader -1 means no leader. Every change bumps leader_epoch when the leader changes.
import type { MetadataStore } from '../metadata-store';
import type { WatchedValue } from './broker-ids.accessor';
import { createIfAbsent } from './store-ops';
import { ZkPaths } from './zk-paths';

export interface PartitionStateJson {
  controller_epoch: number;
  leader: number;
  version: number;
  leader_epoch: number;
  isr: number[];
}

export interface PartitionState {
  leader: number;
  leaderEpoch: number;
  isr: number[];
  controllerEpoch: number;
  /** The node's version (zkVersion), for compare-and-set. */
  version: number;
}

export class PartitionStatesAccessor {
  constructor(private readonly store: MetadataStore) {}

  /** Creates the state unless one exists; true when created. */
  async create(topic: string, partition: number, state: Omit<PartitionState, 'version'>): Promise<boolean> {
    return createIfAbsent(this.store, ZkPaths.partitionState(topic, partition), encode(state) as never);
  }

  async set(topic: string, partition: number, state: Omit<PartitionState, 'version'>, expectedVersion?: number): Promise<number> {
    return this.store.set(ZkPaths.partitionState(topic, partition), encode(state) as never, expectedVersion);
  }

  async get(topic: string, partition: number): Promise<PartitionState | null> {
    const node = await this.store.get<PartitionStateJson>(ZkPaths.partitionState(topic, partition));
    return node ? decode(node.value, node.version) : null;
  }

  /** Watches the state node, including its creation and deletion. */
  async watch(topic: string, partition: number, listener: (state: PartitionState | null) => void): Promise<WatchedValue<PartitionState | null>> {
    const sub = await this.store.watchData<PartitionStateJson>(ZkPaths.partitionState(topic, partition), (event) =>
      listener(event.node ? decode(event.node.value, event.node.version) : null),
    );
    return { initial: sub.initial ? decode(sub.initial.value, sub.initial.version) : null, unsubscribe: () => sub.unsubscribe() };
  }
}

function encode(state: Omit<PartitionState, 'version'>): PartitionStateJson {
  return { controller_epoch: state.controllerEpoch, leader: state.leader, version: 1, leader_epoch: state.leaderEpoch, isr: [...state.isr] };
}

function decode(json: PartitionStateJson, version: number): PartitionState {
  return {
    leader: typeof json?.leader === 'number' ? json.leader : -1,
    leaderEpoch: typeof json?.leader_epoch === 'number' ? json.leader_epoch : 0,
    isr: Array.isArray(json?.isr) ? json.isr.map(Number) : [],
    controllerEpoch: typeof json?.controller_epoch === 'number' ? json.controller_epoch : 0,
    version,
  };
}
