import { ClientConfig } from '../config/client.config';
import { ConfigError } from '../config/config-error';
import { configDir } from '../config/config.test-helpers';
import { ClientConfigError } from './errors';
import { loadClientConfig, overridesAsSets } from './kafka-options';

describe('loadClientConfig', () => {
  const dirs: Array<{ remove(): void }> = [];
  const dirWith = (files: Record<string, string>): string => {
    const made = configDir(files);
    dirs.push(made);
    return made.dir;
  };
  afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

  it('binds kafka.* from application.yml in the given cwd, with Java defaults for the rest', () => {
    const cwd = dirWith({ 'application.yml': 'kafka:\n  bootstrap-servers: a:1,b:2\n  producer:\n    acks: 1\n    compression-type: GZIP\n' });
    const { config, files } = loadClientConfig({ cwd, env: {} });
    expect(config.bootstrapServers).toEqual(['a:1', 'b:2']);
    expect(config.producer.acks).toBe('1');
    expect(config.producer.compressionType).toBe('gzip');
    expect(config.producer.batchSize).toBe(16384);
    expect(files).toHaveLength(1);
  });

  it('applies profile files, then environment variables, then properties', () => {
    const cwd = dirWith({
      'application.yml': 'kafka:\n  bootstrap-servers: file:1\n  client-id: from-file\n  template:\n    default-topic: base\n',
      'application-dev.yml': 'kafka:\n  template:\n    default-topic: dev-topic\n  client-id: from-profile\n',
    });
    const env = { KAFKANEST_PROFILES_ACTIVE: 'dev', KAFKA_BOOTSTRAP_SERVERS: 'env:2', KAFKA_CLIENT_ID: 'from-env' };
    const { config } = loadClientConfig({ cwd, env, properties: { 'kafka.client-id': 'from-properties' } });
    expect(config.template.defaultTopic).toBe('dev-topic');
    expect(config.bootstrapServers).toEqual(['env:2']);
    expect(config.clientId).toBe('from-properties');
  });

  it('reads an explicit config file and fails when it is missing', () => {
    const dir = dirWith({ 'kafka.yml': 'kafka:\n  bootstrap-servers: explicit:9\n' });
    expect(loadClientConfig({ config: `${dir}/kafka.yml`, env: {} }).config.bootstrapServers).toEqual(['explicit:9']);
    expect(() => loadClientConfig({ config: `${dir}/absent.yml`, env: {} })).toThrow(ConfigError);
  });

  it('ignores broker and application keys it does not bind', () => {
    const cwd = dirWith({ 'application.yml': 'server:\n  port: 3000\nnum.partitions: -3\nkafka:\n  bootstrap-servers: x:1\n' });
    const { config, warnings } = loadClientConfig({ cwd, env: {} });
    expect(config.bootstrapServers).toEqual(['x:1']);
    expect(warnings).toEqual([]);
  });

  it('warns about a near miss of a kafka key, naming where it came from', () => {
    const cwd = dirWith({});
    const { warnings } = loadClientConfig({ cwd, env: {}, properties: { 'kafka.bootstrap-server': 'x:1' } });
    expect(warnings).toEqual(['unknown key kafka.bootstrap-server (from KafkaModule properties) ignored; did you mean kafka.bootstrap-servers?']);
  });

  it('fails with one line naming the key, the value and the source', () => {
    const cwd = dirWith({ 'application.yml': 'kafka:\n  producer:\n    acks: 2\n' });
    expect(() => loadClientConfig({ cwd, env: {} })).toThrow(/^kafka\.producer\.acks=2: .*\(from application\.yml\)$/);
    const empty = dirWith({});
    expect(() => loadClientConfig({ cwd: empty, env: {}, properties: { kafka: { consumer: { 'max-poll-records': 0 } } } })).toThrow(
      /^kafka\.consumer\.max-poll-records=0: .*\(from KafkaModule properties\)$/,
    );
    expect(() => loadClientConfig({ cwd: empty, env: { KAFKA_BOOTSTRAP_SERVERS: 'no-port' } })).toThrow(/^kafka\.bootstrap-servers=no-port: .*\(from env KAFKA_BOOTSTRAP_SERVERS\)$/);
  });

  it('uses a ready ClientConfig as is, and refuses it mixed with files or properties', () => {
    const ready = new ClientConfig();
    ready.bootstrapServers = ['ready:1'];
    expect(loadClientConfig({ clientConfig: ready }).config).toBe(ready);
    expect(() => loadClientConfig({ clientConfig: ready, properties: { 'kafka.client-id': 'x' } })).toThrow(ClientConfigError);
  });
});

describe('overridesAsSets', () => {
  it('flattens nested maps and dotted keys, joining lists with commas', () => {
    expect(
      overridesAsSets({
        'kafka.bootstrap-servers': ['a:1', 'b:2'],
        kafka: { producer: { acks: 1, properties: { 'linger.ms': 0, 'enable.idempotence': false } } },
        'kafka.client-id': null,
        'kafka.consumer.group-id': undefined,
      }),
    ).toEqual([
      'kafka.bootstrap-servers=a:1,b:2',
      'kafka.producer.acks=1',
      'kafka.producer.properties.linger.ms=0',
      'kafka.producer.properties.enable.idempotence=false',
      'kafka.client-id=',
    ]);
  });

  it('rejects names with "=" and values that are not text', () => {
    expect(() => overridesAsSets({ 'a=b': 'x' })).toThrow(/a property name must be non-empty/);
    expect(() => overridesAsSets({ 'kafka.client-id': () => 'x' })).toThrow(/not a function/);
  });
});
