// /brokers/topics/{topic}/partitions/{p}/state: leader, ISR and epochs in Kafka's JSON
// (version 1). Updates are conditional on the node version (Kafka's "zkVersion"), which is
// how a stale controller or leader is fenced.
import type { MetadataStore } from '../metadata-store';
import { ZkPaths } from '../zk-paths';

export interface PartitionState {
  leader: number;
  isr: number[];
  leaderEpoch: number;
  controllerEpoch: number;
}

interface StateJson {
  version: number;
  leader: number;
  leader_epoch: number;
  controller_epoch: number;
  isr: number[];
}

export class PartitionStateStore {
  constructor(private readonly store: MetadataStore) {}

  async get(topic: string, partition: number): Promise<{ state: PartitionState; version: number } | null> {
    const node = await this.store.get<StateJson>(ZkPaths.partitionState(topic, partition));
    return node ? { state: fromJson(node.value), version: node.version } : null;
  }

  /** NodeExistsError when a state exists already (another controller got there first). */
  async create(topic: string, partition: number, state: PartitionState): Promise<void> {
    await this.store.create(ZkPaths.partitionState(topic, partition), toJson(state) as never, { createParents: true });
  }

  /** Resolves with the new version; BadVersionError when someone else updated it first. */
  async update(topic: string, partition: number, state: PartitionState, expectedVersion: number): Promise<number> {
    return this.store.set(ZkPaths.partitionState(topic, partition), toJson(state) as never, expectedVersion);
  }

  async watch(
    topic: string,
    partition: number,
    listener: (state: { state: PartitionState; version: number } | null) => void,
  ): Promise<{ initial: { state: PartitionState; version: number } | null; unsubscribe: () => void }> {
    const wrap = (node: { value: StateJson; version: number } | null) => (node ? { state: fromJson(node.value), version: node.version } : null);
    const sub = await this.store.watchData<StateJson>(ZkPaths.partitionState(topic, partition), (e) => listener(wrap(e.node)));
    return { initial: wrap(sub.initial), unsubscribe: sub.unsubscribe };
  }
}

function toJson(s: PartitionState): StateJson {
  return { version: 1, leader: s.leader, leader_epoch: s.leaderEpoch, controller_epoch: s.controllerEpoch, isr: [...s.isr] };
}

function fromJson(j: StateJson): PartitionState {
  return { leader: j.leader, isr: j.isr, leaderEpoch: j.leader_epoch, controllerEpoch: j.controller_epoch };
}
