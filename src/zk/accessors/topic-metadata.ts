// /brokers/topics/{topic}: the replica assignment, in Kafka's TopicZNode JSON (version 3,
// with "topic_id"), plus the optional "configs" map ARCHITECTURE.md keeps on the same node.
import type { JsonValue, MetadataStore } from '../metadata-store';
import { ZkPaths } from '../zk-paths';
import { ignoreNoNode, isNoNode } from './missing-node';

export interface TopicAssignment {
  /** partition -> replica broker ids, preferred leader first. */
  partitions: Map<number, number[]>;
  /** Kafka's topic UUID in its base64url text form. */
  topicId: string;
  configs?: Record<string, string>;
}

interface TopicJson {
  version: number;
  partitions: Record<string, number[]>;
  adding_replicas: Record<string, number[]>;
  removing_replicas: Record<string, number[]>;
  topic_id?: string;
  configs?: Record<string, string>;
}

export class TopicMetadata {
  constructor(private readonly store: MetadataStore) {}

  /** NodeExistsError when the topic exists. */
  async create(topic: string, assignment: TopicAssignment): Promise<void> {
    await this.store.create(ZkPaths.topic(topic), toJson(assignment), { createParents: true });
  }

  async get(topic: string): Promise<{ assignment: TopicAssignment; version: number } | null> {
    const node = await this.store.get<TopicJson>(ZkPaths.topic(topic));
    return node ? { assignment: fromJson(node.value), version: node.version } : null;
  }

  /** Replaces the assignment if the node is still at expectedVersion (BadVersionError otherwise). */
  async update(topic: string, assignment: TopicAssignment, expectedVersion: number): Promise<number> {
    return this.store.set(ZkPaths.topic(topic), toJson(assignment), expectedVersion);
  }

  async list(): Promise<string[]> {
    return this.store.children(ZkPaths.topics).catch((err) => (isNoNode(err) ? [] : Promise.reject(err)));
  }

  async watchList(listener: (topics: string[]) => void): Promise<{ initial: string[]; unsubscribe: () => void }> {
    const sub = await this.store.watchChildren(ZkPaths.topics, (e) => listener(e.children ?? []));
    return { initial: sub.initial ?? [], unsubscribe: sub.unsubscribe };
  }

  /** Removes the topic node and its partition states. */
  async delete(topic: string): Promise<void> {
    await this.store.delete(ZkPaths.topic(topic), undefined, { recursive: true }).catch(ignoreNoNode);
  }
}

function toJson(a: TopicAssignment): JsonValue {
  const json: TopicJson = {
    version: 3,
    partitions: Object.fromEntries([...a.partitions].sort(([x], [y]) => x - y).map(([p, replicas]) => [String(p), replicas])),
    adding_replicas: {},
    removing_replicas: {},
    topic_id: a.topicId,
    ...(a.configs && Object.keys(a.configs).length > 0 ? { configs: a.configs } : {}),
  };
  return json as unknown as JsonValue;
}

function fromJson(json: TopicJson): TopicAssignment {
  return {
    partitions: new Map(Object.entries(json.partitions ?? {}).map(([p, replicas]) => [Number(p), replicas])),
    topicId: json.topic_id ?? '',
    ...(json.configs ? { configs: json.configs } : {}),
  };
}
