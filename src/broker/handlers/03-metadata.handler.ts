// Api: Metadata (key 3) v0–v12; not supported: authorizers (authorized operations report everything allowed).
import { Injectable } from '@nestjs/common';
import { BrokerConfig } from '../../config/broker.config';
import { ApiKey } from '../../protocol/api-key';
import { ZERO_UUID } from '../../protocol/codec/struct-plan';
import { ErrorCode } from '../../protocol/errors/error-codes';
import {
  MetadataApi,
  type MetadataRequest,
  type MetadataResponse,
  type MetadataResponsePartition,
  type MetadataResponseTopic,
} from '../../protocol/schemas/metadata.schema';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler, RequestContext } from '../api/kafka-api-handler';
import { KafkaServer } from '../kafka-server.service';
import { brokersForListener, selfAsBroker } from '../metadata/broker-endpoints';
import { MetadataCache } from '../metadata/metadata-cache.service';
import type { TopicInfo } from '../metadata/metadata-view';
import { TopicAdmin } from '../topics/topic-admin.service';
import { isInternalTopic, isValidTopicName } from '../topics/topic-name';

/** Kafka's INT32_MIN: authorized operations were not asked for. */
const OPERATIONS_OMITTED = -2147483648;
/** With no authorizer every supported operation is allowed: READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS. */
const ALL_TOPIC_OPERATIONS = [3, 4, 5, 6, 7, 8, 10, 11].reduce((bits, op) => bits | (1 << op), 0);
/** CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE. */
const ALL_CLUSTER_OPERATIONS = [5, 7, 8, 9, 10, 11, 12].reduce((bits, op) => bits | (1 << op), 0);

/**
 * Brokers (at the endpoint of the listener the request came in on), cluster id, controller and
 * the requested topics from the MetadataCache. An unknown topic is auto-created when
 * auto.create.topics.enable is on and the request allows it (v4+; always before v4), and
 * answered LEADER_NOT_AVAILABLE in this response, as Kafka does, so the client asks again.
 */
@Injectable()
@KafkaApi(ApiKey.Metadata)
export class MetadataHandler implements KafkaApiHandler<typeof MetadataApi> {
  readonly api = MetadataApi;
  readonly versions = '0-12';

  constructor(
    private readonly config: BrokerConfig,
    private readonly cache: MetadataCache,
    private readonly topicAdmin: TopicAdmin,
    private readonly server: KafkaServer,
  ) {}

  async handle(request: MetadataRequest, ctx: RequestContext): Promise<MetadataResponse> {
    const version = ctx.apiVersion;
    const allTopics = request.topics === null || (version === 0 && request.topics.length === 0);
    const topics: MetadataResponseTopic[] = [];
    const includeOps = version >= 8 && request.includeTopicAuthorizedOperations;
    if (allTopics) {
      for (const topic of this.cache.topics()) {
        const elected = electedPartitions(topic);
        if (elected.partitions.length > 0) topics.push(this.describe(elected, includeOps));
      }
    } else {
      const allowAutoCreate = this.config.autoCreateTopicsEnable && (version < 4 || request.allowAutoTopicCreation);
      const seen = new Set<string>();
      for (const wanted of request.topics!) {
        const key = wanted.name ?? `id:${wanted.topicId}`;
        if (seen.has(key)) continue;
        seen.add(key);
        topics.push(await this.lookup(wanted.name, wanted.topicId, allowAutoCreate, includeOps, version));
      }
    }
    const self = selfAsBroker(this.cache.localBrokerId, this.server.advertisedListeners);
    return {
      throttleTimeMs: 0,
      brokers: brokersForListener(this.cache.liveBrokers(), ctx.connection.listenerName, self).map((b) => ({ nodeId: b.id, host: b.host, port: b.port, rack: b.rack })),
      clusterId: this.cache.clusterId() || null,
      controllerId: this.cache.controllerId(),
      topics,
      clusterAuthorizedOperations: version >= 8 && version <= 10 && request.includeClusterAuthorizedOperations ? ALL_CLUSTER_OPERATIONS : OPERATIONS_OMITTED,
    };
  }

  private async lookup(name: string | null, topicId: string | undefined, allowAutoCreate: boolean, includeOps: boolean, version: number): Promise<MetadataResponseTopic> {
    if (name === null) {
      const byId = topicId && topicId !== ZERO_UUID ? this.cache.topicById(topicId) : undefined;
      // The response's name is nullable only from v12; v10-11 answer an unknown id with an empty name.
      return byId ? this.describe(byId, includeOps) : errorTopic(version >= 12 ? null : '', topicId ?? ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_ID);
    }
    const topic = this.cache.topic(name);
    if (topic) return this.describe(topic, includeOps);
    if (!isValidTopicName(name)) return errorTopic(name, ZERO_UUID, ErrorCode.INVALID_TOPIC_EXCEPTION);
    // Internal topics are made by the broker with their own settings, never by a client's lookup.
    if (!allowAutoCreate || isInternalTopic(name)) return errorTopic(name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const [created] = await this.topicAdmin.createTopics([{ name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] }], {
      timeoutMs: 0,
      anyBroker: true,
    });
    const ok = created.errorCode === ErrorCode.NONE || created.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS;
    return errorTopic(name, ZERO_UUID, ok ? ErrorCode.LEADER_NOT_AVAILABLE : created.errorCode);
  }

  private describe(topic: TopicInfo, includeOps: boolean): MetadataResponseTopic {
    const partitions: MetadataResponsePartition[] = topic.partitions.map((p) => {
      const leaderAlive = p.leader >= 0 && this.cache.broker(p.leader) !== undefined;
      return {
        errorCode: leaderAlive ? ErrorCode.NONE : ErrorCode.LEADER_NOT_AVAILABLE,
        partitionIndex: p.partition,
        leaderId: leaderAlive ? p.leader : -1,
        leaderEpoch: p.leaderEpoch,
        replicaNodes: [...p.replicas],
        isrNodes: [...p.isr],
        offlineReplicas: [...p.offlineReplicas],
      };
    });
    return {
      errorCode: ErrorCode.NONE,
      name: topic.name,
      topicId: topic.topicId || ZERO_UUID,
      isInternal: topic.internal,
      partitions,
      topicAuthorizedOperations: includeOps ? ALL_TOPIC_OPERATIONS : OPERATIONS_OMITTED,
    };
  }
}

/**
 * What a full listing shows of a topic: its partitions up to the first that has no state yet
 * (none of a topic being created, the old ones of a topic whose new partitions are being
 * added), as Kafka's brokers learn partitions only from the controller's UpdateMetadata once
 * their leaders are elected. Clients listing everything (kafkajs's listTopics, kcat -L) do not
 * retry a partition error there. Asked for by name, a topic is answered with every partition.
 */
function electedPartitions(topic: TopicInfo): TopicInfo {
  const unelected = topic.partitions.findIndex((p) => p.leaderEpoch < 0);
  return unelected < 0 ? topic : { ...topic, partitions: topic.partitions.slice(0, unelected) };
}

function errorTopic(name: string | null, topicId: string, errorCode: number): MetadataResponseTopic {
  return { errorCode, name, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: OPERATIONS_OMITTED };
}
