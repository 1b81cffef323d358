import { ApiKey } from '../api-key';
import type { ApiSpec, FieldSpec, Fields } from '../codec/schema';
import { inVersionRange, parseVersionRange } from '../codec/version-range';
import { ApiVersionsApi } from './api-versions.schema';
import { DescribeGroupsApi } from './describe-groups.schema';
import { FetchApi } from './fetch.schema';
import { FindCoordinatorApi } from './find-coordinator.schema';
import { HeartbeatApi } from './heartbeat.schema';
import { ALL_APIS } from './index';
import { JoinGroupApi } from './join-group.schema';
import { LeaveGroupApi } from './leave-group.schema';
import { ListGroupsApi } from './list-groups.schema';
import { ListOffsetsApi } from './list-offsets.schema';
import { MetadataApi } from './metadata.schema';
import { OffsetCommitApi } from './offset-commit.schema';
import { OffsetFetchApi } from './offset-fetch.schema';
import { ProduceApi } from './produce.schema';
import { SaslHandshakeApi } from './sasl-handshake.schema';
import { SyncGroupApi } from './sync-group.schema';

// Kafka 3.9's validVersions / flexibleVersions, copied by hand from its message specs
// (Produce and Fetch narrowed on purpose: their oldest versions carry legacy message sets).
const KAFKA_3_9: Array<[ApiSpec<any, any>, ApiKey, string, string]> = [
  [ProduceApi, ApiKey.Produce, '3-11', '9+'],
  [FetchApi, ApiKey.Fetch, '4-17', '12+'],
  [ListOffsetsApi, ApiKey.ListOffsets, '0-9', '6+'],
  [MetadataApi, ApiKey.Metadata, '0-12', '9+'],
  [OffsetCommitApi, ApiKey.OffsetCommit, '0-9', '8+'],
  [OffsetFetchApi, ApiKey.OffsetFetch, '0-9', '6+'],
  [FindCoordinatorApi, ApiKey.FindCoordinator, '0-6', '3+'],
  [JoinGroupApi, ApiKey.JoinGroup, '0-9', '6+'],
  [HeartbeatApi, ApiKey.Heartbeat, '0-4', '4+'],
  [LeaveGroupApi, ApiKey.LeaveGroup, '0-5', '4+'],
  [SyncGroupApi, ApiKey.SyncGroup, '0-5', '4+'],
  [DescribeGroupsApi, ApiKey.DescribeGroups, '0-5', '5+'],
  [ListGroupsApi, ApiKey.ListGroups, '0-5', '3+'],
  [SaslHandshakeApi, ApiKey.SaslHandshake, '0-1', 'none'],
  [ApiVersionsApi, ApiKey.ApiVersions, '0-4', '3+'],
];

const NULLABLE_KINDS = new Set(['string', 'bytes', 'records', 'array', 'struct']);

/** Every field of a message with its dotted path, depth first in wire order. */
function walk(fields: Fields, path = ''): Array<[string, FieldSpec]> {
  return Object.entries(fields).flatMap(([name, f]): Array<[string, FieldSpec]> => {
    const here = path + name;
    const nested = f.kind === 'struct' ? f.fields : f.kind === 'array' && f.items?.kind === 'struct' ? f.items.fields : undefined;
    return [[here, f], ...(nested ? walk(nested, here + '.') : [])];
  });
}

function field(fields: Fields, path: string): FieldSpec {
  const found = walk(fields).find(([p]) => p === path);
  if (!found) throw new Error(`no field ${path}`);
  return found[1];
}

function structs(fields: Fields): Fields[] {
  return [fields, ...walk(fields).flatMap(([, f]) => (f.kind === 'struct' ? [f.fields!] : f.items?.kind === 'struct' ? [f.items.fields!] : []))];
}

describe('client and group API declarations', () => {
  it.each(KAFKA_3_9.map(([api, key, valid, flexible]) => [api.name, api, key, valid, flexible] as const))(
    '%s declares its api key and the version ranges of Kafka 3.9',
    (name, api, key, valid, flexible) => {
      expect(api.apiKey).toBe(key);
      expect(name).toBe(ApiKey[key]);
      expect(api.validVersions).toBe(valid);
      expect(api.flexibleVersions).toBe(flexible);
    },
  );

  it.each(KAFKA_3_9.map(([api]) => [api.name, api] as const))(
    '%s has consistent field ranges: nullable kinds only, tags only in flexible versions, unique tags per struct',
    (_name, api) => {
      const top = parseVersionRange(api.validVersions);
      for (const side of [api.request, api.response]) {
        for (const [path, f] of walk(side)) {
          const r = parseVersionRange(f.versions);
          expect([path, r.min <= top.max]).toEqual([path, true]);
          if (f.nullableVersions !== undefined) expect([path, NULLABLE_KINDS.has(f.kind)]).toEqual([path, true]);
          expect([path, f.tag === undefined]).toEqual([path, f.taggedVersions === undefined]);
          if (f.taggedVersions !== undefined) {
            const tagged = parseVersionRange(f.taggedVersions);
            expect([path, inVersionRange(api.flexibleVersions, tagged.min)]).toEqual([path, true]);
          }
        }
        for (const s of structs(side)) {
          const tags = Object.values(s).flatMap((f) => (f.tag === undefined ? [] : [f.tag]));
          expect(new Set(tags).size).toBe(tags.length);
        }
      }
    },
  );

  it('ALL_APIS lists every api once, in api-key order, including keys 0-18', () => {
    const keys = ALL_APIS.map((a) => a.apiKey);
    expect(keys).toEqual([...keys].sort((a, b) => a - b));
    expect(new Set(keys).size).toBe(keys.length);
    for (const [api] of KAFKA_3_9) expect(ALL_APIS).toContain(api);
  });

  it('Produce carries a nullable transactional id, per-batch record errors from v8 and KIP-951 leader hints as tags from v10', () => {
    expect(Object.keys(ProduceApi.request)).toEqual(['transactionalId', 'acks', 'timeoutMs', 'topicData']);
    expect(field(ProduceApi.request, 'transactionalId')).toMatchObject({ versions: '3+', nullableVersions: '3+', default: null });
    expect(field(ProduceApi.request, 'topicData.partitionData.records')).toMatchObject({ kind: 'records', nullableVersions: '0+' });
    expect(field(ProduceApi.response, 'responses.partitionResponses.recordErrors').versions).toBe('8+');
    expect(field(ProduceApi.response, 'responses.partitionResponses.currentLeader')).toMatchObject({ tag: 0, taggedVersions: '10+' });
    expect(field(ProduceApi.response, 'nodeEndpoints')).toMatchObject({ tag: 0, taggedVersions: '10+' });
  });

  it('Fetch switches topic names for ids at v13 and moves the replica id into a tagged struct at v15', () => {
    expect(field(FetchApi.request, 'replicaId').versions).toBe('0-14');
    expect(field(FetchApi.request, 'replicaState')).toMatchObject({ kind: 'struct', tag: 1, taggedVersions: '15+' });
    expect(field(FetchApi.request, 'clusterId')).toMatchObject({ tag: 0, taggedVersions: '12+', nullableVersions: '12+' });
    expect(field(FetchApi.request, 'maxBytes').default).toBe(0x7fffffff);
    expect(field(FetchApi.request, 'topics.topic').versions).toBe('0-12');
    expect(field(FetchApi.request, 'topics.topicId').versions).toBe('13+');
    expect(field(FetchApi.request, 'forgottenTopicsData.topic').versions).toBe('7-12');
    expect(field(FetchApi.request, 'topics.partitions.replicaDirectoryId')).toMatchObject({ tag: 0, taggedVersions: '17+' });
    expect(field(FetchApi.response, 'responses.topicId').versions).toBe('13+');
    const partition = field(FetchApi.response, 'responses.partitions').items!.fields!;
    expect(Object.keys(partition)).toEqual([
      'partitionIndex', 'errorCode', 'highWatermark', 'lastStableOffset', 'logStartOffset',
      'divergingEpoch', 'currentLeader', 'snapshotId', 'abortedTransactions', 'preferredReadReplica', 'records',
    ]);
    expect([partition.divergingEpoch.tag, partition.currentLeader.tag, partition.snapshotId.tag]).toEqual([0, 1, 2]);
    expect(partition.abortedTransactions).toMatchObject({ versions: '4+', nullableVersions: '4+' });
    expect(field(FetchApi.response, 'nodeEndpoints')).toMatchObject({ tag: 0, taggedVersions: '16+' });
  });

  it('Metadata requests a nullable topic list from v1 and reports cluster operations only in v8-v10', () => {
    expect(field(MetadataApi.request, 'topics').nullableVersions).toBe('1+');
    expect(field(MetadataApi.request, 'topics.name').nullableVersions).toBe('10+');
    expect(field(MetadataApi.request, 'allowAutoTopicCreation')).toMatchObject({ versions: '4+', default: true });
    expect(field(MetadataApi.request, 'includeClusterAuthorizedOperations').versions).toBe('8-10');
    expect(field(MetadataApi.response, 'clusterAuthorizedOperations')).toMatchObject({ versions: '8-10', default: -2147483648 });
    expect(field(MetadataApi.response, 'topics.topicId').versions).toBe('10+');
    expect(field(MetadataApi.response, 'topics.name').nullableVersions).toBe('12+');
  });

  it('JoinGroup adds static membership at v5, the protocol type in responses at v7, reasons at v8 and skipAssignment at v9', () => {
    expect(field(JoinGroupApi.request, 'groupInstanceId')).toMatchObject({ versions: '5+', nullableVersions: '5+' });
    expect(field(JoinGroupApi.request, 'reason').versions).toBe('8+');
    expect(field(JoinGroupApi.response, 'protocolType').versions).toBe('7+');
    expect(field(JoinGroupApi.response, 'protocolName').nullableVersions).toBe('7+');
    expect(field(JoinGroupApi.response, 'skipAssignment').versions).toBe('9+');
  });

  it('OffsetFetch batches groups from v8 and keeps the single-group fields only up to v7', () => {
    expect(Object.keys(OffsetFetchApi.request)).toEqual(['groupId', 'topics', 'groups', 'requireStable']);
    expect(field(OffsetFetchApi.request, 'topics')).toMatchObject({ versions: '0-7', nullableVersions: '2-7' });
    expect(field(OffsetFetchApi.request, 'groups.topics')).toMatchObject({ versions: '8+', nullableVersions: '8+' });
    expect(field(OffsetFetchApi.request, 'groups.memberEpoch').versions).toBe('9+');
    expect(Object.keys(OffsetFetchApi.response)).toEqual(['throttleTimeMs', 'topics', 'errorCode', 'groups']);
    expect(field(OffsetFetchApi.response, 'errorCode').versions).toBe('2-7');
  });

  it('ApiVersions names the client from v3 and carries features as tags 0-3', () => {
    expect(field(ApiVersionsApi.request, 'clientSoftwareName').versions).toBe('3+');
    const tags = ['supportedFeatures', 'finalizedFeaturesEpoch', 'finalizedFeatures', 'zkMigrationReady'].map(
      (name) => field(ApiVersionsApi.response, name).tag,
    );
    expect(tags).toEqual([0, 1, 2, 3]);
    expect(field(ApiVersionsApi.response, 'finalizedFeaturesEpoch').default).toBe(-1);
  });
});
