// A cluster of built brokers on the run's test ZooKeeper (under a chroot of its own), with
// what failover suites ask of it: the partition state nodes, /controller and
// /brokers/ids read straight from ZooKeeper (the ground truth the brokers act on), brokers
// stopped and resumed with SIGSTOP/SIGCONT, and raw per-replica reads over the wire
// (ListOffsets as a consumer for the high watermark, as a debugging client for a replica's
// log end; Fetch as a consumer for the committed records).
import { quietStoreLogger } from '../../src/broker/metadata/metadata-node.test-helpers';
import { CreateTopicsApi, ErrorCode, errorName, ListOffsetsApi, RecordBatchView } from '../../src/protocol';
import { coordinatorOf } from '../../src/coordinator/coordinator-cluster';
import { ControllerAccessor } from '../../src/zk/accessors/controller.accessor';
import { PartitionStatesAccessor, type PartitionState } from '../../src/zk/accessors/partition-state.accessor';
import { ZkPaths } from '../../src/zk/zk-paths';
import { ZooKeeperMetadataStore } from '../../src/zk/zookeeper-metadata-store';
import { BrokerProcess } from './broker-process';
import { KafkaWireClient } from './kafka-wire-client';
import { testZkConnect, uniqueZkRoot } from './test-zookeeper';
import { waitFor } from './wait-for';
import { fetchAllBatches, negotiatedVersion } from './wire-admin';

export type { PartitionState } from '../../src/zk/accessors/partition-state.accessor';

/** ListOffsets' replica id for a consumer (answered by the leader, up to the HW) and for a debugging client (any replica, to its log end). */
const CONSUMER = -1;
const DEBUGGING_REPLICA = -2;

export interface ZkClusterOptions {
  /** Broker ids 0..size-1. */
  size: number;
  /** Names the chroot, for whoever looks at the ZooKeeper tree. */
  label: string;
  /** `--set` settings every broker gets (broker.id and zookeeper.connect are added). */
  settings: Record<string, string | number | boolean>;
}

/** A group id of the form `${prefix}-N` that brokers 0..brokerCount-1 place on `brokerId` (while all live). */
export function groupCoordinatedBy(prefix: string, brokerId: number, brokerCount: number): string {
  const ids = Array.from({ length: brokerCount }, (_, i) => i);
  for (let n = 0; ; n++) if (coordinatorOf(`${prefix}-${n}`, ids) === brokerId) return `${prefix}-${n}`;
}

/**
 * Settings for suites that kill brokers under running clients: ZooKeeper notices a dead
 * broker after `zkSessionMs`, followers drop out of the ISR quickly, topics exist only when
 * created, and groups form at once and may use short sessions.
 */
export function clientFailoverSettings(zkSessionMs: number): Record<string, string | number | boolean> {
  return {
    'zookeeper.session.timeout.ms': zkSessionMs,
    'replica.lag.time.max.ms': 1_500,
    'replica.fetch.backoff.ms': 100,
    'auto.create.topics.enable': false,
    'group.initial.rebalance.delay.ms': 0,
    'group.min.session.timeout.ms': 1_000,
  };
}

export class ZkCluster {
  private readonly states: PartitionStatesAccessor;
  private readonly controllers: ControllerAccessor;
  private readonly paused = new Set<BrokerProcess>();

  private constructor(
    readonly brokers: readonly BrokerProcess[],
    readonly store: ZooKeeperMetadataStore,
  ) {
    this.states = new PartitionStatesAccessor(store);
    this.controllers = new ControllerAccessor(store);
  }

  static async start(options: ZkClusterOptions): Promise<ZkCluster> {
    const root = await ZooKeeperMetadataStore.connect({ connect: testZkConnect(), logger: quietStoreLogger });
    const chroot = uniqueZkRoot(options.label);
    try {
      await root.create(chroot, null);
    } finally {
      await root.close();
    }
    const connect = `${testZkConnect()}${chroot}`;
    const store = await ZooKeeperMetadataStore.connect({ connect, logger: quietStoreLogger });
    const started = await Promise.allSettled(
      Array.from({ length: options.size }, (_, id) =>
        BrokerProcess.start({ settings: { ...options.settings, 'zookeeper.connect': connect, 'broker.id': id } }),
      ),
    );
    const brokers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(brokers.map((b) => b.dispose()));
      await store.close();
      throw failed.reason;
    }
    return new ZkCluster(brokers, store);
  }

  get bootstrapServers(): string[] {
    return this.brokers.map((b) => b.bootstrap);
  }

  byId(id: number): BrokerProcess {
    const broker = this.brokers.find((b) => b.brokerId === id);
    if (!broker) throw new Error(`no broker ${id} in this cluster`);
    return broker;
  }

  /** Creates a topic through the controller (only it takes CreateTopics, as in Kafka); fails unless created. */
  async createTopic(topic: string, partitions: number, replicationFactor: number, configs: Record<string, string> = {}): Promise<void> {
    const controller = await waitFor(async () => {
      const id = await this.controllerId();
      return id >= 0 ? this.byId(id) : null;
    }, { what: 'a controller' });
    const client = await KafkaWireClient.connect(controller.port);
    try {
      const version = await negotiatedVersion(client, CreateTopicsApi);
      const response = await client.request(CreateTopicsApi, version, {
        topics: [{ name: topic, numPartitions: partitions, replicationFactor, assignments: [], configs: Object.entries(configs).map(([name, value]) => ({ name, value })) }],
        timeoutMs: 30_000,
        validateOnly: false,
      });
      const result = response.topics.find((t) => t.name === topic);
      if (!result || result.errorCode !== ErrorCode.NONE) {
        throw new Error(`CreateTopics ${topic}: ${result ? `${errorName(result.errorCode)} ${result.errorMessage ?? ''}` : 'no result'}`);
      }
    } finally {
      client.close();
    }
  }

  /** The partition's state node; throws while it does not exist. */
  async state(topic: string, partition: number): Promise<PartitionState> {
    const state = await this.states.get(topic, partition);
    if (!state) throw new Error(`${topic}-${partition} has no state node`);
    return state;
  }

  /** /controller's broker id, -1 while nobody holds it. */
  controllerId(): Promise<number> {
    return this.controllers.controllerId();
  }

  controllerEpoch(): Promise<number> {
    return this.controllers.epoch();
  }

  /** Whether /brokers/ids/{id} exists (the broker's session is alive and it registered). */
  async isRegistered(id: number): Promise<boolean> {
    return (await this.store.exists(ZkPaths.broker(id))) !== null;
  }

  /** Resolves once every partition of every topic has a live leader and all `replicationFactor` replicas in its ISR. */
  async waitForFullIsrs(topics: ReadonlyMap<string, number>, replicationFactor: number, timeoutMs = 20_000): Promise<void> {
    let short: string[] = [];
    try {
      await waitFor(
        async () => {
          short = [];
          for (const [topic, partitions] of topics) {
            for (let p = 0; p < partitions; p++) {
              const state = await this.state(topic, p);
              if (state.leader < 0 || state.isr.length !== replicationFactor) short.push(`${topic}-${p} leader ${state.leader} epoch ${state.leaderEpoch} ISR [${state.isr}]`);
            }
          }
          return short.length === 0;
        },
        { timeoutMs, intervalMs: 50, what: `every partition to have ${replicationFactor} in-sync replicas` },
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}; still short: ${short.join('; ')}`);
    }
  }

  /** Resolves with the partition's state once a leader other than `previous.leader` holds it. */
  async waitForNewLeader(topic: string, partition: number, previous: PartitionState, timeoutMs: number): Promise<PartitionState> {
    return waitFor(
      async () => {
        const state = await this.state(topic, partition);
        return state.leader >= 0 && state.leader !== previous.leader ? state : null;
      },
      { timeoutMs, intervalMs: 20, what: `a leader of ${topic}-${partition} other than broker ${previous.leader}` },
    );
  }

  /** The high watermark on `broker` (it must lead the partition). */
  highWatermark(broker: BrokerProcess, topic: string, partition: number): Promise<number> {
    return this.latestOffset(broker, topic, partition, CONSUMER);
  }

  /** The log end offset of `broker`'s replica, leader or follower. */
  logEnd(broker: BrokerProcess, topic: string, partition: number): Promise<number> {
    return this.latestOffset(broker, topic, partition, DEBUGGING_REPLICA);
  }

  /** ListOffsets latest; resolves with the error code instead when the broker refuses. */
  async latestOffsetOrError(broker: BrokerProcess, topic: string, partition: number, replicaId: number): Promise<{ errorCode: number; offset: number }> {
    const client = await KafkaWireClient.connect(broker.port);
    try {
      const response = await client.request(ListOffsetsApi, 4, {
        replicaId,
        isolationLevel: 0,
        topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: -1, maxNumOffsets: 1 }] }],
      });
      const answer = response.topics[0].partitions[0];
      return { errorCode: answer.errorCode, offset: answer.offset };
    } finally {
      client.close();
    }
  }

  private async latestOffset(broker: BrokerProcess, topic: string, partition: number, replicaId: number): Promise<number> {
    const { errorCode, offset } = await this.latestOffsetOrError(broker, topic, partition, replicaId);
    if (errorCode !== ErrorCode.NONE) throw new Error(`ListOffsets ${topic}-${partition} on broker ${broker.brokerId}: ${errorName(errorCode)}`);
    return offset;
  }

  /** Every committed record of the partition, read from its leader `broker` as a consumer. */
  async readPartition(broker: BrokerProcess, topic: string, partition: number): Promise<{ offsets: number[]; values: string[] }> {
    const client = await KafkaWireClient.connect(broker.port);
    const offsets: number[] = [];
    const values: string[] = [];
    try {
      for (const bytes of await fetchAllBatches(client, topic, partition)) {
        for (const record of new RecordBatchView(bytes).records()) {
          offsets.push(record.offset);
          values.push(record.value?.toString() ?? '');
        }
      }
    } finally {
      client.close();
    }
    return { offsets, values };
  }

  /** SIGSTOP: the process and its ZooKeeper client freeze, so its session runs out on the server. */
  pause(broker: BrokerProcess): void {
    process.kill(broker.pid!, 'SIGSTOP');
    this.paused.add(broker);
  }

  resume(broker: BrokerProcess): void {
    process.kill(broker.pid!, 'SIGCONT');
    this.paused.delete(broker);
  }

  /** Resumes what is stopped (a stopped process ignores SIGTERM), stops every broker, removes their dirs. */
  async dispose(): Promise<void> {
    for (const broker of this.paused) if (broker.isAlive()) process.kill(broker.pid!, 'SIGCONT');
    this.paused.clear();
    await Promise.all(this.brokers.map((b) => b.dispose()));
    await this.store.close();
  }
}
