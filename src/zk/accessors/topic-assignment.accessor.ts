// /brokers/topics/{topic}: the topic's replica assignment and id, Kafka's version-3 shape
// (kafka.zk.TopicZNode):
//   {"version":3,"partitions":{"0":[0,1],"1":[1,0]},"topic_id":"<base64url uuid>",
//    "adding_replicas":{},"removing_replicas":{}}
// The node's children hold partition states (partition-state.accessor.ts). Deletion is
// marked at /admin/delete_topics/{topic} and carried out by the controller.
import type { MetadataStore } from '../metadata-store';
import { NodeExistsError } from '../metadata-store.errors';
import type { WatchedValue } from './broker-ids.accessor';
import { childrenOrEmpty, createIfAbsent, deleteIfPresent } from './store-ops';
import { ZkPaths } from './zk-paths';

export interface TopicAssignmentJson {
  version: number;
  partitions: Record<string, number[]>;
  topic_id?: string;
  adding_replicas?: Record<string, number[]>;
  removing_replicas?: Record<string, number[]>;
}

export interface TopicAssignment {
  topicId: string;
  /** Replicas per partition, indexed by partition number. */
  partitions: number[][];
  /** The node's version, for compare-and-set when partitions are added. */
  version: number;
}

export class TopicExistsInStoreError extends Error {
  constructor(readonly topic: string) {
    super(`Topic '${topic}' already exists.`);
    this.name = 'TopicExistsInStoreError';
  }
}

export class TopicAssignmentsAccessor {
  constructor(private readonly store: MetadataStore) {}

  async create(topic: string, topicId: string, partitions: readonly (readonly number[])[]): Promise<void> {
    try {
      await this.store.create(ZkPaths.topic(topic), encode(topicId, partitions) as never, { createParents: true });
    } catch (err) {
      if (err instanceof NodeExistsError) throw new TopicExistsInStoreError(topic);
      throw err;
    }
  }

  async get(topic: string): Promise<TopicAssignment | null> {
    const node = await this.store.get<TopicAssignmentJson>(ZkPaths.topic(topic));
    return node ? decode(node.value, node.version) : null;
  }

  /** Replaces the assignment (more partitions); BadVersionError when it changed since `expectedVersion`. */
  async setPartitions(topic: string, topicId: string, partitions: readonly (readonly number[])[], expectedVersion: number): Promise<void> {
    await this.store.set(ZkPaths.topic(topic), encode(topicId, partitions) as never, expectedVersion);
  }

  async names(): Promise<string[]> {
    return childrenOrEmpty(this.store, ZkPaths.topics);
  }

  async delete(topic: string): Promise<void> {
    await deleteIfPresent(this.store, ZkPaths.topic(topic));
  }

  async watchNames(listener: (names: string[]) => void): Promise<WatchedValue<string[]>> {
    const sub = await this.store.watchChildren(ZkPaths.topics, (event) => listener(event.children ?? []));
    return { initial: sub.initial ?? [], unsubscribe: () => sub.unsubscribe() };
  }

  async watch(topic: string, listener: (assignment: TopicAssignment | null) => void): Promise<WatchedValue<TopicAssignment | null>> {
    const sub = await this.store.watchData<TopicAssignmentJson>(ZkPaths.topic(topic), (event) =>
      listener(event.node ? decode(event.node.value, event.node.version) : null),
    );
    return { initial: sub.initial ? decode(sub.initial.value, sub.initial.version) : null, unsubscribe: () => sub.unsubscribe() };
  }
}

export class TopicDeletionsAccessor {
  constructor(private readonly store: MetadataStore) {}

  /** Marks the topic for deletion (Kafka's node carries no data). */
  async mark(topic: string): Promise<void> {
    await createIfAbsent(this.store, ZkPaths.deleteTopic(topic), null);
  }

  async isMarked(topic: string): Promise<boolean> {
    return (await this.store.exists(ZkPaths.deleteTopic(topic))) !== null;
  }

  async clear(topic: string): Promise<void> {
    await deleteIfPresent(this.store, ZkPaths.deleteTopic(topic));
  }

  async watch(listener: (topics: string[]) => void): Promise<WatchedValue<string[]>> {
    const sub = await this.store.watchChildren(ZkPaths.deleteTopics, (event) => listener(event.children ?? []));
    return { initial: sub.initial ?? [], unsubscribe: () => sub.unsubscribe() };
  }
}

function encode(topicId: string, partitions: readonly (readonly number[])[]): TopicAssignmentJson {
  const byPartition: Record<string, number[]> = {};
  partitions.forEach((replicas, p) => (byPartition[String(p)] = [...replicas]));
  return { version: 3, partitions: byPartition, topic_id: topicId, adding_replicas: {}, removing_replicas: {} };
}

function decode(json: TopicAssignmentJson, version: number): TopicAssignment {
  const partitions: number[][] = [];
  for (const [key, replicas] of Object.entries(json?.partitions ?? {})) {
    const p = Number(key);
    if (Number.isInteger(p) && p >= 0 && Array.isArray(replicas)) partitions[p] = replicas.map(Number);
  }
  // A hole (partition missing from the JSON) would break "indexed by partition": treat as empty.
  for (let p = 0; p < partitions.length; p++) partitions[p] ??= [];
  return { topicId: json?.topic_id ?? '', partitions, version };
}
