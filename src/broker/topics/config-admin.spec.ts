import { ErrorCode } from '../../protocol/errors/error-codes';
import { newTopic, startMetadataNode, useMetadataDir, type MetadataNode } from '../metadata/metadata-node.test-helpers';
import { AlterOp, ResourceType } from './config-admin.service';
import { ConfigSource, ConfigType } from './topic-config-definitions';

describe('ConfigAdmin', () => {
  const temp = useMetadataDir();
  const T = { timeoutMs: 5_000 };
  const all = { includeSynonyms: true, includeDocumentation: false };

  async function withTopic(configs: Record<string, string> = {}, brokerOverrides = {}): Promise<MetadataNode> {
    const node = temp.track(await startMetadataNode(temp.dir(), { config: brokerOverrides }));
    const [r] = await node.topicAdmin.createTopics([newTopic('t', 1, 1, configs)], T);
    expect(r.errorCode).toBe(ErrorCode.NONE);
    return node;
  }

  const describeTopic = (node: MetadataNode, keys: string[] | null = null) =>
    node.configAdmin.describe([{ resourceType: ResourceType.Topic, resourceName: 't', configurationKeys: keys }], all)[0];

  it('reports an override as DYNAMIC_TOPIC_CONFIG with the broker levels below it as synonyms', async () => {
    const node = await withTopic({ 'retention.ms': '1000' }, { logRetentionMs: 3_600_000 });
    const [retention] = describeTopic(node, ['retention.ms']).configs;
    expect(retention).toEqual({
      name: 'retention.ms',
      value: '1000',
      readOnly: false,
      source: ConfigSource.DynamicTopic,
      isSensitive: false,
      synonyms: [
        { name: 'retention.ms', value: '1000', source: ConfigSource.DynamicTopic },
        { name: 'log.retention.ms', value: '3600000', source: ConfigSource.StaticBroker },
        { name: 'log.retention.ms', value: '604800000', source: ConfigSource.Default },
      ],
      configType: ConfigType.Long,
      documentation: null,
    });
  });

  it('reports inherited values as STATIC_BROKER_CONFIG when the broker sets them, else DEFAULT_CONFIG', async () => {
    const node = await withTopic({}, { logSegmentBytes: 1_048_576 });
    const byName = new Map(describeTopic(node).configs.map((c) => [c.name, c]));
    expect(byName.get('segment.bytes')).toMatchObject({ value: '1048576', source: ConfigSource.StaticBroker });
    expect(byName.get('cleanup.policy')).toMatchObject({ value: 'delete', source: ConfigSource.Default, configType: ConfigType.List });
    expect(byName.get('min.insync.replicas')).toMatchObject({ value: '1', source: ConfigSource.Default });
    expect(byName.get('compression.type')).toMatchObject({ value: 'producer', source: ConfigSource.Default });
  });

  it('describes this broker read-only, and refuses another broker id and unknown topics', async () => {
    const node = await withTopic({}, { numPartitions: 3 });
    const [broker, otherBroker, missing, badName] = node.configAdmin.describe(
      [
        { resourceType: ResourceType.Broker, resourceName: '0', configurationKeys: ['num.partitions', 'broker.id'] },
        { resourceType: ResourceType.Broker, resourceName: '5', configurationKeys: null },
        { resourceType: ResourceType.Topic, resourceName: 'missing', configurationKeys: null },
        { resourceType: ResourceType.Topic, resourceName: 'a b', configurationKeys: null },
      ],
      all,
    );
    expect(broker.errorCode).toBe(ErrorCode.NONE);
    expect(broker.configs).toEqual([
      expect.objectContaining({ name: 'broker.id', value: '0', readOnly: true, source: ConfigSource.Default }),
      expect.objectContaining({ name: 'num.partitions', value: '3', readOnly: true, source: ConfigSource.StaticBroker, configType: ConfigType.Int }),
    ]);
    expect(otherBroker).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unexpected broker id, expected 0 or empty string, but received 5' });
    expect(missing).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, configs: [] });
    expect(badName.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });

  it('AlterConfigs replaces the whole override set; validate_only changes nothing', async () => {
    const node = await withTopic({ 'retention.ms': '1000', 'segment.ms': '60000' });
    const alter = (configs: { name: string; value: string | null }[], validateOnly = false) =>
      node.configAdmin.alter([{ resourceType: ResourceType.Topic, resourceName: 't', configs }], validateOnly);
    expect(await alter([{ name: 'cleanup.policy', value: 'compact' }], true)).toEqual([{ resourceType: 2, resourceName: 't', errorCode: 0, errorMessage: null }]);
    expect(node.cache.topic('t')!.configs).toEqual({ 'retention.ms': '1000', 'segment.ms': '60000' });
    await alter([{ name: 'cleanup.policy', value: 'compact' }]);
    expect(node.cache.topic('t')!.configs).toEqual({ 'cleanup.policy': 'compact' });
    expect((await node.store.get('/config/topics/t'))?.value).toEqual({ version: 1, config: { 'cleanup.policy': 'compact' } });
    expect((await alter([{ name: 'bogus', value: '1' }]))[0]).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Unknown topic config name: bogus' });
    expect(node.cache.topic('t')!.configs).toEqual({ 'cleanup.policy': 'compact' });
  });

  it('IncrementalAlterConfigs applies SET, DELETE, APPEND and SUBTRACT to the current overrides', async () => {
    const node = await withTopic({ 'retention.ms': '1000', 'segment.ms': '60000' });
    const incremental = (configs: { name: string; configOperation: number; value: string | null }[]) =>
      node.configAdmin.incrementalAlter([{ resourceType: ResourceType.Topic, resourceName: 't', configs }], false);
    const [ok] = await incremental([
      { name: 'retention.ms', configOperation: AlterOp.Set, value: '2000' },
      { name: 'segment.ms', configOperation: AlterOp.Delete, value: null },
      { name: 'cleanup.policy', configOperation: AlterOp.Append, value: 'compact' },
    ]);
    expect(ok.errorCode).toBe(ErrorCode.NONE);
    expect(node.cache.topic('t')!.configs).toEqual({ 'retention.ms': '2000', 'cleanup.policy': 'delete,compact' });
    await incremental([{ name: 'cleanup.policy', configOperation: AlterOp.Subtract, value: 'delete' }]);
    expect(node.cache.topic('t')!.configs['cleanup.policy']).toBe('compact');

    const errors = await Promise.all([
      incremental([{ name: 'retention.ms', configOperation: AlterOp.Append, value: '1' }]),
      incremental([{ name: 'retention.ms', configOperation: 9, value: '1' }]),
      incremental([{ name: 'retention.ms', configOperation: AlterOp.Set, value: null }]),
      incremental([
        { name: 'retention.ms', configOperation: AlterOp.Set, value: '1' },
        { name: 'retention.ms', configOperation: AlterOp.Delete, value: null },
      ]),
      incremental([{ name: 'retention.ms', configOperation: AlterOp.Set, value: 'x' }]),
    ]);
    expect(errors.map(([r]) => r.errorCode)).toEqual([ErrorCode.INVALID_CONFIG, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_CONFIG]);
    expect(node.cache.topic('t')!.configs).toEqual({ 'retention.ms': '2000', 'cleanup.policy': 'compact' });
  });

  it('refuses dynamic broker configs and unknown resource types', async () => {
    const node = await withTopic();
    const [broker, empty, logger] = await node.configAdmin.alter(
      [
        { resourceType: ResourceType.Broker, resourceName: '0', configs: [{ name: 'num.partitions', value: '3' }] },
        { resourceType: ResourceType.Broker, resourceName: '', configs: [] },
        { resourceType: ResourceType.BrokerLogger, resourceName: '0', configs: [] },
      ],
      false,
    );
    expect(broker).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Cannot update these configs dynamically: num.partitions' });
    expect(empty.errorCode).toBe(ErrorCode.NONE);
    expect(logger.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });
});
