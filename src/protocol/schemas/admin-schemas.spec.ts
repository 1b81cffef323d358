import { ApiKey } from '../api-key';
import type { ApiSpec, FieldSpec } from '../codec/schema';
import { AlterConfigsApi } from './alter-configs.schema';
import { CreatePartitionsApi } from './create-partitions.schema';
import { CreateTopicsApi } from './create-topics.schema';
import { DeleteGroupsApi } from './delete-groups.schema';
import { DeleteRecordsApi } from './delete-records.schema';
import { DeleteTopicsApi } from './delete-topics.schema';
import { DescribeClusterApi } from './describe-cluster.schema';
import { DescribeConfigsApi } from './describe-configs.schema';
import { DescribeLogDirsApi } from './describe-log-dirs.schema';
import { DescribeProducersApi } from './describe-producers.schema';
import { IncrementalAlterConfigsApi } from './incremental-alter-configs.schema';
import { InitProducerIdApi } from './init-producer-id.schema';
import { OffsetDeleteApi } from './offset-delete.schema';
import { OffsetForLeaderEpochApi } from './offset-for-leader-epoch.schema';
import { SaslAuthenticateApi } from './sasl-authenticate.schema';

// Kafka 3.9's validVersions / flexibleVersions, copied by hand from its message specs so a
// slip in a declaration shows up here rather than as a client that cannot negotiate.
const KAFKA_3_9: Array<[ApiSpec<any, any>, ApiKey, string, string]> = [
  [CreateTopicsApi, ApiKey.CreateTopics, '0-7', '5+'],
  [DeleteTopicsApi, ApiKey.DeleteTopics, '0-6', '4+'],
  [DeleteRecordsApi, ApiKey.DeleteRecords, '0-2', '2+'],
  [InitProducerIdApi, ApiKey.InitProducerId, '0-5', '2+'],
  [OffsetForLeaderEpochApi, ApiKey.OffsetForLeaderEpoch, '0-4', '4+'],
  [DescribeConfigsApi, ApiKey.DescribeConfigs, '0-4', '4+'],
  [AlterConfigsApi, ApiKey.AlterConfigs, '0-2', '2+'],
  [DescribeLogDirsApi, ApiKey.DescribeLogDirs, '0-4', '2+'],
  [SaslAuthenticateApi, ApiKey.SaslAuthenticate, '0-2', '2+'],
  [CreatePartitionsApi, ApiKey.CreatePartitions, '0-3', '2+'],
  [DeleteGroupsApi, ApiKey.DeleteGroups, '0-2', '2+'],
  [IncrementalAlterConfigsApi, ApiKey.IncrementalAlterConfigs, '0-1', '1+'],
  [OffsetDeleteApi, ApiKey.OffsetDelete, '0', 'none'],
  [DescribeClusterApi, ApiKey.DescribeCluster, '0-1', '0+'],
  [DescribeProducersApi, ApiKey.DescribeProducers, '0', '0+'],
];

function item(array: FieldSpec): Readonly<Record<string, FieldSpec>> {
  return array.items!.fields!;
}

describe('admin API declarations', () => {
  it.each(KAFKA_3_9.map(([api, key, valid, flexible]) => [api.name, api, key, valid, flexible] as const))(
    '%s declares the api key and the version ranges of Kafka 3.9',
    (name, api, key, valid, flexible) => {
      expect(api.apiKey).toBe(key);
      expect(name).toBe(ApiKey[key]);
      expect(api.validVersions).toBe(valid);
      expect(api.flexibleVersions).toBe(flexible);
    },
  );

  it('CreateTopics v5+ reports the created topic back, with its config error as tag 0 and its id from v7', () => {
    const topic = item(CreateTopicsApi.response.topics);
    expect(Object.keys(topic)).toEqual([
      'name', 'topicId', 'errorCode', 'errorMessage', 'topicConfigErrorCode', 'numPartitions', 'replicationFactor', 'configs',
    ]);
    expect(topic.topicId.versions).toBe('7+');
    expect(topic.topicConfigErrorCode).toMatchObject({ versions: '5+', tag: 0, taggedVersions: '5+' });
    expect(topic.numPartitions).toMatchObject({ versions: '5+', default: -1 });
    expect(topic.configs).toMatchObject({ versions: '5+', nullableVersions: '5+' });
  });

  it('DeleteTopics names topics by string list up to v5 and by name-or-id structs from v6', () => {
    expect(DeleteTopicsApi.request.topicNames.versions).toBe('0-5');
    expect(DeleteTopicsApi.request.topics.versions).toBe('6+');
  });

  it('InitProducerId carries the current producer id and epoch from v3, defaulting to -1', () => {
    expect(InitProducerIdApi.request.producerId).toMatchObject({ kind: 'int64', versions: '3+', default: -1 });
    expect(InitProducerIdApi.request.producerEpoch).toMatchObject({ kind: 'int16', versions: '3+', default: -1 });
  });

  it('OffsetForLeaderEpoch sends a replica id from v3, defaulting to the debugging sentinel -2', () => {
    expect(OffsetForLeaderEpochApi.request.replicaId).toMatchObject({ versions: '3+', default: -2 });
  });

  it('DescribeConfigs has isDefault only in v0, synonyms from v1, type and documentation from v3', () => {
    const config = item(item(DescribeConfigsApi.response.results).configs);
    expect(config.isDefault.versions).toBe('0');
    expect(config.synonyms.versions).toBe('1+');
    expect(config.configType.versions).toBe('3+');
    expect(config.documentation.versions).toBe('3+');
  });

  it('DescribeLogDirs has a top-level error code from v3 and volume sizes from v4', () => {
    expect(DescribeLogDirsApi.response.errorCode.versions).toBe('3+');
    const result = item(DescribeLogDirsApi.response.results);
    expect(result.totalBytes).toMatchObject({ versions: '4+', default: -1 });
    expect(result.usableBytes).toMatchObject({ versions: '4+', default: -1 });
  });

  it('DescribeCluster asks for an endpoint type from v1, brokers by default', () => {
    expect(DescribeClusterApi.request.endpointType).toMatchObject({ kind: 'int8', versions: '1+', default: 1 });
    expect(DescribeClusterApi.response.endpointType).toMatchObject({ kind: 'int8', versions: '1+', default: 1 });
  });

  it('OffsetDelete puts its error code before the throttle time', () => {
    expect(Object.keys(OffsetDeleteApi.response)).toEqual(['errorCode', 'throttleTimeMs', 'topics']);
  });
});
