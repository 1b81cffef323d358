import { ConfigError } from './config-error';
import { configDir } from './config.test-helpers';
import { canonicalKey, environmentNames, mapEntryFromEnvironment } from './relaxed-names';
import { loadSpringProperties, type PropertyLoadOptions } from './spring-property-loader';

const KNOWN = ['num.partitions', 'log.dirs', 'log.segment.bytes', 'kafka.bootstrap-servers', 'kafka.producer.acks', 'server.port'];
const MAPS = ['kafka.producer.properties'];

describe('loadSpringProperties', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  function load(files: Record<string, string>, options: Partial<PropertyLoadOptions> = {}) {
    const fixture = configDir(files);
    cleanup = fixture.remove;
    return loadSpringProperties({ cwd: fixture.dir, env: {}, knownKeys: KNOWN, mapPrefixes: MAPS, ownNamespaces: ['kafka', 'server'], ...options });
  }

  it('reads application.yml from the working directory when no file is named', () => {
    const { properties, files } = load({ 'application.yml': 'num.partitions: 3\n' });
    expect(properties.get('num.partitions')).toEqual({ name: 'num.partitions', value: 3, source: 'application.yml' });
    expect(files).toHaveLength(1);
  });

  it('treats an absent application.yml as empty but an absent --config file as an error', () => {
    expect(load({}).properties.get('num.partitions')).toBeUndefined();
    expect(() => load({}, { configFile: 'missing.yml' })).toThrow(new ConfigError('--config', 'missing.yml', 'file not found'));
  });

  it('treats a file holding only comments as empty', () => {
    expect(load({ 'application.yml': '# nothing yet\n' }).properties.get('num.partitions')).toBeUndefined();
  });

  it('reports invalid YAML in one line naming the file', () => {
    const error = captureError(() => load({ 'application.yml': 'a: [1, 2\n' }));
    expect(error.message).toMatch(/^--config=application\.yml: application\.yml is not valid YAML: /);
    expect(error.message).not.toContain('\n');
  });

  it('flattens nested maps to the same key as dotted names', () => {
    const nested = load({ 'application.yml': 'log:\n  segment:\n    bytes: 2048\n' }).properties;
    const mixed = load({ 'application.yml': 'log.segment:\n  bytes: 2048\n' }).properties;
    expect(nested.get('log.segment.bytes')?.value).toBe(2048);
    expect(mixed.get('log.segment.bytes')?.value).toBe(2048);
  });

  it.each([
    ['kebab-case', 'kafka:\n  bootstrap-servers: a:1\n'],
    ['camelCase', 'kafka:\n  bootstrapServers: a:1\n'],
    ['snake_case', 'kafka.bootstrap_servers: a:1\n'],
  ])('binds %s names to the documented key', (_style, yaml) => {
    expect(load({ 'application.yml': yaml }).properties.get('kafka.bootstrap-servers')?.value).toBe('a:1');
  });

  it('applies profile files in the order the profiles are listed, after the base file', () => {
    const { properties, profiles, files } = load(
      {
        'application.yml': 'num.partitions: 1\nlog.segment.bytes: 100\nserver.port: 1\n',
        'application-a.yml': 'num.partitions: 2\nlog.segment.bytes: 200\n',
        'application-b.yml': 'num.partitions: 3\n',
      },
      { env: { KAFKANEST_PROFILES_ACTIVE: 'a, b' } },
    );
    expect(profiles).toEqual(['a', 'b']);
    expect(files.map((file) => file.split('/').pop())).toEqual(['application.yml', 'application-a.yml', 'application-b.yml']);
    expect(properties.get('num.partitions')).toMatchObject({ value: 3, source: 'application-b.yml' });
    expect(properties.get('log.segment.bytes')).toMatchObject({ value: 200, source: 'application-a.yml' });
    expect(properties.get('server.port')).toMatchObject({ value: 1, source: 'application.yml' });
  });

  it('names profile files after a --config file', () => {
    const { properties } = load({ 'broker.yml': 'num.partitions: 1\n', 'broker-dev.yml': 'num.partitions: 5\n' }, { configFile: 'broker.yml', env: { KAFKANEST_PROFILES_ACTIVE: 'dev' } });
    expect(properties.get('num.partitions')?.value).toBe(5);
  });

  it('takes active profiles from --set, then the environment, then the file', () => {
    const files = { 'application.yml': 'kafkanest.profiles.active: f\n', 'application-f.yml': 'num.partitions: 1\n', 'application-e.yml': 'num.partitions: 2\n', 'application-s.yml': 'num.partitions: 3\n' };
    expect(load(files).profiles).toEqual(['f']);
    expect(load(files, { env: { KAFKANEST_PROFILES_ACTIVE: 'e' } }).profiles).toEqual(['e']);
    expect(load(files, { env: { KAFKANEST_PROFILES_ACTIVE: 'e' }, sets: ['kafkanest.profiles.active=s'] }).profiles).toEqual(['s']);
  });

  it('warns about a profile without a file instead of failing', () => {
    expect(load({}, { env: { KAFKANEST_PROFILES_ACTIVE: 'ghost' } }).warnings).toEqual(['profile ghost is active but application-ghost.yml does not exist']);
  });

  it('refuses a profile name that would leave the config directory', () => {
    expect(() => load({}, { env: { KAFKANEST_PROFILES_ACTIVE: '../etc' } })).toThrow(ConfigError);
  });

  it('lets environment variables override files, by the upper-case underscore name', () => {
    const { properties } = load({ 'application.yml': 'log.dirs: [a]\nkafka.bootstrap-servers: x:1\n' }, { env: { LOG_DIRS: 'b,c', KAFKA_BOOTSTRAP_SERVERS: 'y:2' } });
    expect(properties.get('log.dirs')).toEqual({ name: 'log.dirs', value: 'b,c', source: 'env LOG_DIRS' });
    expect(properties.get('kafka.bootstrap-servers')?.value).toBe('y:2');
  });

  it("accepts Spring's own env form, which drops dashes", () => {
    expect(load({}, { env: { KAFKA_BOOTSTRAPSERVERS: 'y:2' } }).properties.get('kafka.bootstrap-servers')?.value).toBe('y:2');
  });

  it('ignores environment variables that name no known key', () => {
    expect(load({}, { env: { NUM_PARTITION: '5' } }).properties.get('num.partition')).toBeUndefined();
  });

  it('lets --set override environment and files, last one winning', () => {
    const { properties } = load({ 'application.yml': 'num.partitions: 1\n' }, { env: { NUM_PARTITIONS: '2' }, sets: ['num.partitions=3', 'numPartitions=4'] });
    expect(properties.get('num.partitions')).toMatchObject({ value: '3', source: '--set' });
    // `numPartitions` is one segment, not `num.partitions`: dots carry meaning.
    expect(properties.get('numpartitions')?.value).toBe('4');
  });

  it('keeps everything after the first = of a --set as the value', () => {
    expect(load({}, { sets: ['kafka.producer.properties.sasl.jaas.config=a=b'] }).properties.under('kafka.producer.properties').get('sasl.jaas.config')?.value).toBe('a=b');
  });

  it('rejects a --set without key=value', () => {
    expect(() => load({}, { sets: ['num.partitions'] })).toThrow(new ConfigError('--set', 'num.partitions', 'expected key=value'));
  });

  it('resolves ${ENV:default} placeholders against the environment, then other keys, then the default', () => {
    const yaml = 'num.partitions: ${PARTS:7}\nserver.port: ${PORT:8080}\nlog.dirs: ${BASE:/var}/logs\nkafka.bootstrap-servers: localhost:${server.port}\n';
    const { properties } = load({ 'application.yml': yaml }, { env: { PORT: '9000' } });
    expect(properties.get('num.partitions')?.value).toBe('7');
    expect(properties.get('server.port')?.value).toBe('9000');
    expect(properties.get('log.dirs')?.value).toBe('/var/logs');
    expect(properties.get('kafka.bootstrap-servers')?.value).toBe('localhost:9000');
  });

  it('resolves placeholders inside list items', () => {
    expect(load({ 'application.yml': 'log.dirs:\n  - ${D:/a}\n  - /b\n' }).properties.get('log.dirs')?.value).toEqual(['/a', '/b']);
  });

  it('reports an unresolvable placeholder with key, value and source', () => {
    const error = captureError(() => load({ 'application.yml': 'num.partitions: ${NOPE}\n' }).properties.get('num.partitions'));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/^num\.partitions=\$\{NOPE\}: unresolved placeholder \$\{NOPE\} .*\(from application\.yml\)$/);
  });

  it('collects map entries under a prefix with their Kafka names intact', () => {
    const { properties } = load(
      { 'application.yml': 'kafka:\n  producer:\n    properties:\n      linger.ms: 5\n      max.in.flight.requests.per.connection: 1\n' },
      { env: { KAFKA_PRODUCER_PROPERTIES_LINGER_MS: '7', KAFKA_PRODUCER_PROPERTIES_ENABLE_IDEMPOTENCE: 'false' } },
    );
    const map = properties.under('kafka.producer.properties');
    expect(Object.fromEntries([...map].map(([name, entry]) => [name, entry.value]))).toEqual({
      'linger.ms': '7',
      'max.in.flight.requests.per.connection': 1,
      'enable.idempotence': 'false',
    });
  });

  it('warns about a near miss of a known key and about unknown keys in our namespaces', () => {
    const { warnings } = load({ 'application.yml': 'kafka.producer.ack: 1\nserver.colour: blue\nnum.network.threads: 3\n' });
    expect(warnings).toEqual([
      'unknown key kafka.producer.ack (from application.yml) ignored; did you mean kafka.producer.acks?',
      'unknown key server.colour (from application.yml) ignored',
    ]);
  });
});

describe('relaxed names', () => {
  it('folds case, dashes and underscores within segments but keeps dots', () => {
    expect(canonicalKey('Kafka.Bootstrap-Servers')).toBe(canonicalKey('kafka.bootstrap_servers'));
    expect(canonicalKey('log.segment.bytes')).not.toBe(canonicalKey('log_segment.bytes'));
  });

  it('derives the environment names of a key', () => {
    expect(environmentNames('log.dirs')).toEqual(['LOG_DIRS']);
    expect(environmentNames('kafka.consumer.group-id')).toEqual(['KAFKA_CONSUMER_GROUP_ID', 'KAFKA_CONSUMER_GROUPID']);
  });

  it('maps an env variable under a map prefix to a dotted Kafka property', () => {
    expect(mapEntryFromEnvironment('KAFKA_CONSUMER_PROPERTIES_ISOLATION_LEVEL', 'kafka.consumer.properties')).toBe('isolation.level');
    expect(mapEntryFromEnvironment('KAFKA_CONSUMER_PROPERTIES_', 'kafka.consumer.properties')).toBeUndefined();
  });
});

function captureError(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}
