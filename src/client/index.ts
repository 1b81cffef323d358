/**
 * The SDK's public face. One section per area; each area's owner adds its exports in
 * its own section.
 */

// ---- Foundation: errors, retries, connections, cluster metadata, producer (issue 7) ----
export { KafkaClientError, ConnectionError, KafkaTimeoutError, ClientClosedError, ClientConfigError, isRetriableError, errorCodeOfClientError } from './errors';
export { DEFAULT_RETRY_POLICY, retryPolicy, backoffDelay, withRetries, sleep } from './retry';
export type { RetryPolicy, RetryOptions } from './retry';
export { BrokerConnection } from './network/broker-connection';
export type { BrokerConnectionOptions, SendOptions, VersionRangeOf } from './network/broker-connection';
export { KafkaCluster, CoordinatorType, isMetadataError, isCoordinatorError, parseBootstrap } from './cluster/kafka-cluster';
export type { KafkaClusterOptions } from './cluster/kafka-cluster';
export { ClusterMetadata } from './cluster/cluster-metadata';
export type { BrokerNode, PartitionMetadata, TopicMetadata } from './cluster/cluster-metadata';
export type { ConnectionPurpose } from './cluster/connection-pool';
export { KafkaProducer } from './producer/kafka-producer';
export type { ProducerRecord, RecordHeaders, HeaderValue, RecordMetadata } from './producer/kafka-producer';
export type { SendCallback } from './producer/record-completion';
export { resolveProducerOptions, producerOptionsFromConfig } from './producer/producer-options';
export type { ProducerOptions, ResolvedProducerOptions, Acks, CompressionName } from './producer/producer-options';
export { murmur2, toPositive, partitionForKey, StickyPartitioner } from './producer/partitioner';
export { stringSerializer, jsonSerializer, bufferSerializer, resolveSerializer } from './producer/serializers';
export type { Serializer, SerializerSpec } from './producer/serializers';
// ---- end of foundation ----

// ---- Consumer: Java's KafkaConsumer API, its options, deserializers and assignors (issue 7) ----
export { KafkaConsumer, WakeupError } from './consumer/kafka-consumer';
export type { ConsumerRebalanceListener, PartitionToAssign, GroupMetadata } from './consumer/kafka-consumer';
export { resolveConsumerOptions, fromClientConfig as consumerOptionsFromConfig, CONSUMER_DEFAULTS } from './consumer/consumer-options';
export type { ConsumerOptions, ResolvedConsumerOptions, AutoOffsetReset, IsolationLevel } from './consumer/consumer-options';
export { stringDeserializer, jsonDeserializer, bufferDeserializer, resolveDeserializer } from './consumer/deserializers';
export type { Deserializer, DeserializerSpec } from './consumer/deserializers';
export { CommitFailedError, RebalanceInProgressError } from './consumer/offset-commits';
export type { OffsetToCommit, CommittedOffset } from './consumer/offset-commits';
export { OffsetOutOfRangeError, NoOffsetForPartitionError, RecordDeserializationError } from './consumer/fetcher';
export { OffsetCommitPolicy } from './consumer/ack-modes';
export { resolveAssignors } from './consumer/assignors/assignor-registry';
export type { PartitionAssignor, MemberSubscription } from './consumer/assignors/partition-assignor';
// ---- end of consumer ----

// ---- Nest integration: KafkaModule, KafkaTemplate, the listener API (issue 7) ----
export { KafkaModule, KAFKA_MODULE_OPTIONS, KAFKA_CLIENT_CONFIG } from './kafka.module';
export { loadClientConfig, overridesAsSets } from './kafka-options';
export type { KafkaModuleOptions, KafkaModuleAsyncOptions, LoadedClientConfig } from './kafka-options';
export { KafkaTemplate } from './kafka-template';
export type { SendResult, TemplateRecordMetadata, KafkaSendOptions, KafkaTemplateOptions, TemplateProducer, TemplateProducerFactory } from './kafka-template';
export { ClientConfig } from '../config/client.config';
export { KafkaListener } from './listener/kafka-listener.decorator';
export type { KafkaListenerOptions, ListenerTopicPartitions } from './listener/kafka-listener.decorator';
export { Payload, Key, Headers, Header, Ack, Record } from './listener/listener-parameters.decorator';
export { KafkaHeaders, topicPartitionKey } from './listener/types';
export type { ConsumerRecord, Acknowledgment, TopicPartition, TopicPartitionOffset, TimestampType, ListenerHeaders, RecordHeader } from './listener/types';
// ---- end of Nest integration ----

// ---- Listener containers: registry, containers, error handling (issue 7) ----
export { KafkaListenerEndpointRegistry } from './listener/kafka-listener-registry.service';
export { ConcurrentMessageListenerContainer } from './listener/concurrent-listener-container';
export type { MessageListenerContainer } from './listener/concurrent-listener-container';
export { KafkaMessageListenerContainer } from './listener/listener-container';
export type { KafkaListenerContainerOptions, DefaultErrorHandlerOptions, ListenerConsumer, ListenerConsumerFactory } from './listener/container-options';
export { DefaultErrorHandler, DeserializationError, BatchListenerFailedError } from './listener/error-handler';
export type { CommonErrorHandler, ConsumerRecordRecoverer, ErrorHandlerContext, ErrorHandlingDecision, FailedRecord, DefaultErrorHandlerSettings } from './listener/error-handler';
export { DeadLetterPublishingRecoverer, DltHeaders, deadLetterHeaders } from './listener/dead-letter-publisher';
export type { DeadLetterTemplate, DeadLetterDestination, DeadLetterDestinationResolver, DeadLetterPublishingOptions } from './listener/dead-letter-publisher';
export { FixedBackOff, ExponentialBackOff, BACK_OFF_STOP, UNLIMITED_ATTEMPTS } from './listener/backoff';
export type { BackOff, BackOffExecution, ExponentialBackOffSettings } from './listener/backoff';
// ---- end of listener containers ----

// ---- Admin client: Kafka's Admin API over the cluster client (issue 9) ----
export { KafkaAdmin, KafkaAdminError } from './admin/kafka-admin';
export type { KafkaAdminOptions, AdminItemError } from './admin/kafka-admin';
export type {
  ClusterDescription,
  NewTopicSpec,
  TopicDescription,
  TopicConfigEntry,
  OffsetSpec,
  ListOffsetsOptions,
  TopicPartitionRef,
  ListedOffset,
  ReplicaLogDirInfo,
  ConsumerGroupListing,
  ConsumerGroupMember,
  ConsumerGroupDescription,
  CommittedOffsetInfo,
  AlterOffsetSpec,
} from './admin/admin-types';
export { describeGroupOffsets } from './admin/group-offsets';
export type { GroupPartitionOffsets } from './admin/group-offsets';
// ---- end of admin client ----
