import { ClientConfig } from '../../config/client.config';
import { ClientConfigError } from '../errors';
import { fromClientConfig, resolveConsumerOptions } from './consumer-options';

describe('resolveConsumerOptions', () => {
  it("fills in the Java consumer's defaults", () => {
    const o = resolveConsumerOptions({ 'bootstrap.servers': 'a:9092, b:9092', 'group.id': 'g' });
    expect(o).toMatchObject({
      bootstrapServers: ['a:9092', 'b:9092'],
      groupId: 'g',
      groupInstanceId: null,
      autoOffsetReset: 'latest',
      enableAutoCommit: true,
      autoCommitIntervalMs: 5000,
      maxPollRecords: 500,
      maxPollIntervalMs: 300_000,
      sessionTimeoutMs: 45_000,
      heartbeatIntervalMs: 3000,
      fetchMinBytes: 1,
      fetchMaxBytes: 52_428_800,
      fetchMaxWaitMs: 500,
      maxPartitionFetchBytes: 1_048_576,
      partitionAssignmentStrategy: ['range', 'cooperative-sticky'],
      metadataMaxAgeMs: 300_000,
      requestTimeoutMs: 30_000,
      defaultApiTimeoutMs: 60_000,
      checkCrcs: true,
      keyDeserializer: 'string',
      valueDeserializer: 'string',
    });
    expect(o.clientId).toMatch(/^consumer-g-\d+$/);
  });

  it('turns auto-commit off without a group, as Java does', () => {
    expect(resolveConsumerOptions({ 'bootstrap.servers': 'a:1', 'enable.auto.commit': true }).enableAutoCommit).toBe(false);
  });

  it.each([
    [{ 'heartbeat.interval.ms': 3000, 'session.timeout.ms': 3000 }, /heartbeat.interval.ms=3000 must be lower than session.timeout.ms=3000/],
    [{ 'group.instance.id': 'i' }, /group.instance.id needs group.id/],
    [{ 'auto.offset.reset': 'smallest' }, /auto.offset.reset=smallest/],
    [{ 'isolation.level': 'read_committed' }, /only read_uncommitted/],
    [{ 'max.poll.records': 0 }, /max.poll.records=0: must be an integer >= 1/],
    [{ 'fetch.max.wait.ms': 1.5 }, /fetch.max.wait.ms=1.5/],
    [{ 'bootstrap.servers': ' ' }, /bootstrap.servers/],
    [{ 'partition.assignment.strategy': '' }, /partition.assignment.strategy/],
  ])('rejects %j', (bad, message) => {
    expect(() => resolveConsumerOptions({ 'bootstrap.servers': 'a:1', ...(bad as object) } as never)).toThrow(ClientConfigError);
    expect(() => resolveConsumerOptions({ 'bootstrap.servers': 'a:1', ...(bad as object) } as never)).toThrow(message);
  });
});

describe('fromClientConfig', () => {
  it("maps Spring's kafka.* names, with consumer.properties and then the overrides winning", () => {
    const config = new ClientConfig();
    config.bootstrapServers = ['k1:9092', 'k2:9092'];
    config.clientId = 'app';
    config.consumer.groupId = 'orders';
    config.consumer.autoOffsetReset = 'earliest';
    config.consumer.maxPollRecords = 50;
    config.consumer.fetchMinSize = 1024;
    config.consumer.fetchMaxWait = 250;
    config.consumer.heartbeatInterval = 1000;
    config.consumer.valueDeserializer = 'org.springframework.kafka.support.serializer.JsonDeserializer';
    config.consumer.properties = {
      'session.timeout.ms': '10000',
      'max.poll.records': '75',
      'enable.auto.commit': 'false',
      'partition.assignment.strategy': 'org.apache.kafka.clients.consumer.CooperativeStickyAssignor, range',
      'spring.json.trusted.packages': '*',
    };
    const options = fromClientConfig(config, { 'max.poll.records': '10', 'group.instance.id': 'host-1' });
    expect(options).toEqual({
      'bootstrap.servers': ['k1:9092', 'k2:9092'],
      'client.id': 'app',
      'group.id': 'orders',
      'group.instance.id': 'host-1',
      'auto.offset.reset': 'earliest',
      'auto.commit.interval.ms': 5000,
      'enable.auto.commit': false,
      'max.poll.records': 10,
      'fetch.min.bytes': 1024,
      'fetch.max.wait.ms': 250,
      'heartbeat.interval.ms': 1000,
      'session.timeout.ms': 10_000,
      'partition.assignment.strategy': ['org.apache.kafka.clients.consumer.CooperativeStickyAssignor', 'range'],
      'key.deserializer': 'string',
      'value.deserializer': 'org.springframework.kafka.support.serializer.JsonDeserializer',
    });
    expect(resolveConsumerOptions(options).enableAutoCommit).toBe(false);
  });

  it('leaves enable.auto.commit unset when the configuration does not set it', () => {
    expect('enable.auto.commit' in fromClientConfig(new ClientConfig())).toBe(false);
  });

  it('names the property whose text is not of its type', () => {
    const config = new ClientConfig();
    config.consumer.properties = { 'session.timeout.ms': '10s' };
    expect(() => fromClientConfig(config)).toThrow('session.timeout.ms=10s: must be an integer');
    config.consumer.properties = { 'check.crcs': 'yes' };
    expect(() => fromClientConfig(config)).toThrow('check.crcs=yes: must be true or false');
  });
});
