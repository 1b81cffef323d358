import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config-error';
import { configDir } from './config.test-helpers';
import { knownConfigKeys, loadKafkanestConfig, type KafkanestConfigOptions } from './kafkanest-config.loader';

const REPO_ROOT = join(__dirname, '..', '..');

describe('loadKafkanestConfig', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  function load(options: KafkanestConfigOptions & { yaml?: string } = {}) {
    const fixture = configDir(options.yaml === undefined ? {} : { 'application.yml': options.yaml });
    cleanup = fixture.remove;
    return loadKafkanestConfig({ cwd: fixture.dir, env: {}, ...options });
  }

  function failure(options: KafkanestConfigOptions & { yaml?: string }): ConfigError {
    try {
      load(options);
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error('expected a ConfigError');
  }

  describe('defaults', () => {
    it("uses Kafka's broker defaults when nothing is configured", () => {
      const { broker } = load();
      expect(broker).toMatchObject({
        brokerId: 0,
        listeners: ['PLAINTEXT://0.0.0.0:9092'],
        logDirs: ['/tmp/kafka-logs'],
        logSegmentBytes: 1073741824,
        logRollMs: 168 * 3_600_000,
        logRetentionMs: 168 * 3_600_000,
        logRetentionBytes: -1,
        numPartitions: 1,
        minInsyncReplicas: 1,
        autoCreateTopicsEnable: true,
        messageMaxBytes: 1048588,
        zookeeperConnect: '',
        zookeeperSessionTimeoutMs: 18000,
        zookeeperConnectionTimeoutMs: 18000,
      });
      expect(broker.logFlushIntervalMessages).toBeUndefined();
      expect(broker.usesEmbeddedStore).toBe(true);
    });

    it('uses Spring defaults for clients and 8080 for the admin port', () => {
      const { client, admin } = load();
      expect(client.bootstrapServers).toEqual(['localhost:9092']);
      expect(client.producer).toMatchObject({ acks: 'all', batchSize: 16384, compressionType: 'none', properties: {} });
      expect(client.consumer).toMatchObject({ autoOffsetReset: 'latest', fetchMaxWait: 500, heartbeatInterval: 3000, maxPollRecords: 500 });
      expect(client.listener).toMatchObject({ ackMode: 'BATCH', concurrency: 1, type: 'SINGLE', pollTimeout: 5000 });
      expect(admin.serverPort).toBe(8080);
    });

    it('advertises listeners with a wildcard host as localhost', () => {
      const { broker } = load({ sets: ['listeners=PLAINTEXT://0.0.0.0:9092,INTERNAL://:9093,EXTERNAL://[::]:9094,LOCAL://10.0.0.5:9095'] });
      expect(broker.advertisedListeners).toEqual(['PLAINTEXT://localhost:9092', 'INTERNAL://localhost:9093', 'EXTERNAL://localhost:9094', 'LOCAL://10.0.0.5:9095']);
    });

    it('lets log.roll.ms and log.retention.ms win over the hour settings', () => {
      const { broker } = load({ sets: ['log.roll.hours=1', 'log.roll.ms=500', 'log.retention.minutes=2'] });
      expect(broker.logRollMs).toBe(500);
      expect(broker.logRetentionMs).toBe(120_000);
    });

    it('reads any negative retention as keep-forever', () => {
      expect(load({ sets: ['log.retention.hours=-5'] }).broker.logRetentionMs).toBe(-1);
    });
  });

  describe('binding', () => {
    it('reads log.dirs from a YAML list, a comma string and an env variable alike', () => {
      expect(load({ yaml: 'log.dirs:\n  - /a\n  - /b\n' }).broker.logDirs).toEqual(['/a', '/b']);
      expect(load({ yaml: 'log.dirs: /a,/b\n' }).broker.logDirs).toEqual(['/a', '/b']);
      expect(load({ env: { LOG_DIRS: '/a, /b' } }).broker.logDirs).toEqual(['/a', '/b']);
    });

    it('types values from env and --set strings', () => {
      const { broker, client } = load({ env: { NUM_PARTITIONS: '6', AUTO_CREATE_TOPICS_ENABLE: 'false' }, sets: ['kafka.consumer.fetch-max-wait=2s', 'kafka.producer.batch-size=32KB'] });
      expect(broker.numPartitions).toBe(6);
      expect(broker.autoCreateTopicsEnable).toBe(false);
      expect(client.consumer.fetchMaxWait).toBe(2000);
      expect(client.producer.batchSize).toBe(32768);
    });

    it('binds nested kafka.* sections in any relaxed spelling', () => {
      const yaml = 'kafka:\n  consumer:\n    groupId: g1\n    auto_offset_reset: earliest\n  listener.ackMode: manual-immediate\n';
      const { client } = load({ yaml });
      expect(client.consumer.groupId).toBe('g1');
      expect(client.consumer.autoOffsetReset).toBe('earliest');
      expect(client.listener.ackMode).toBe('MANUAL_IMMEDIATE');
    });

    it('passes kafka.*.properties through as string maps', () => {
      const { client } = load({ yaml: 'kafka.consumer.properties:\n  isolation.level: read_committed\n  fetch.max.bytes: 1024\n' });
      expect(client.consumer.properties).toEqual({ 'isolation.level': 'read_committed', 'fetch.max.bytes': '1024' });
    });

    it('treats an empty value as unset', () => {
      const { broker } = load({ yaml: 'zookeeper.connect:\nnum.partitions: ""\n' });
      expect(broker.zookeeperConnect).toBe('');
      expect(broker.numPartitions).toBe(1);
    });

    it("defaults to RocketMQ's 18 delay levels and reads delay.levels with spaces or commas", () => {
      expect(load().broker.delayLevelsMs).toEqual([1, 5, 10, 30, 60, 120, 180, 240, 300, 360, 420, 480, 540, 600, 1200, 1800, 3600, 7200].map((s) => s * 1000));
      expect(load({ sets: ['delay.levels=500ms, 2s 1m'] }).broker.delayLevelsMs).toEqual([500, 2000, 60_000]);
    });

    it('accepts a ZooKeeper connect string with a chroot', () => {
      const { broker } = load({ sets: ['zookeeper.connect=zk1:2181,zk2:2181/kafka'] });
      expect(broker.zookeeperConnect).toBe('zk1:2181,zk2:2181/kafka');
      expect(broker.usesEmbeddedStore).toBe(false);
    });
  });

  describe('validation failures are one line: key=value: rule (from source)', () => {
    it.each([
      [['num.partitions=-3'], 'num.partitions=-3: must be >= 1 (from --set)'],
      [['num.partitions=many'], 'num.partitions=many: must be an integer (from --set)'],
      [['log.segment.bytes=13'], 'log.segment.bytes=13: must be >= 14 (from --set)'],
      [['auto.create.topics.enable=maybe'], 'auto.create.topics.enable=maybe: must be true or false (from --set)'],
      [['server.port=70000'], 'server.port=70000: must be between 0 and 65535 (from --set)'],
      [['kafka.producer.acks=2'], 'kafka.producer.acks=2: must be one of all, -1, 0, 1 (from --set)'],
      [['kafka.producer.compression-type=brotli'], 'kafka.producer.compression-type=brotli: must be one of none, gzip, snappy, lz4, zstd (from --set)'],
      [['kafka.consumer.auto-offset-reset=oldest'], 'kafka.consumer.auto-offset-reset=oldest: must be one of earliest, latest, none (from --set)'],
      [['kafka.listener.ack-mode=SOMETIMES'], 'kafka.listener.ack-mode=SOMETIMES: must be one of RECORD, BATCH, TIME, COUNT, COUNT_TIME, MANUAL, MANUAL_IMMEDIATE (from --set)'],
      [['kafka.consumer.fetch-max-wait=soon'], 'kafka.consumer.fetch-max-wait=soon: must be a duration such as 500ms, 5s, 1m, PT5S or a number of milliseconds (from --set)'],
      [['kafka.producer.batch-size=big'], 'kafka.producer.batch-size=big: must be a data size such as 16384, 16KB or 32MB (from --set)'],
      [['kafka.bootstrap-servers=localhost'], 'kafka.bootstrap-servers=localhost: must be a list of host:port (from --set)'],
      [['listeners=localhost:9092'], 'listeners=localhost:9092: must be a list of NAME://host:port with distinct names and ports 0-65535 (from --set)'],
      [['advertised.listeners=PLAINTEXT://0.0.0.0:9092'], 'advertised.listeners=PLAINTEXT://0.0.0.0:9092: must not advertise an empty or wildcard host such as 0.0.0.0 (from --set)'],
      [['zookeeper.connect=zk1'], 'zookeeper.connect=zk1: must be empty, "embedded", or host:port[,host:port...][/chroot] (from --set)'],
      [['group.min.session.timeout.ms=2000000'], 'group.min.session.timeout.ms=2000000: must be <= group.max.session.timeout.ms (1800000) (from --set)'],
      [['admin.token=short'], 'admin.token=****: must be at least 16 characters (from --set)'],
      [['delay.levels=1s 0s'], 'delay.levels=1s 0s: must be 1 to 99 positive durations such as 1s 5s 1m 2h, separated by spaces or commas (from --set)'],
      [['delay.levels=1s soon'], 'delay.levels=1s soon: must be 1 to 99 positive durations such as 1s 5s 1m 2h, separated by spaces or commas (from --set)'],
      [['delay.tick.ms=0'], 'delay.tick.ms=0: must be between 1 and 1000 (from --set)'],
    ])('%p fails with %p', (sets, message) => {
      const error = failure({ sets });
      expect(error.message).toBe(message);
      expect(error.message).not.toContain('\n');
    });

    it('names the file a bad value came from', () => {
      expect(failure({ yaml: 'num.partitions: 0\n' }).message).toBe('num.partitions=0: must be >= 1 (from application.yml)');
    });

    it('names the environment variable a bad value came from', () => {
      expect(failure({ env: { MIN_INSYNC_REPLICAS: '0' } }).message).toBe('min.insync.replicas=0: must be >= 1 (from env MIN_INSYNC_REPLICAS)');
    });

    it('shows a list value as the comma string one would type', () => {
      expect(failure({ yaml: 'kafka.bootstrap-servers: []\n' }).message).toBe('kafka.bootstrap-servers=: must list at least one value (from application.yml)');
      expect(failure({ yaml: 'listeners:\n  - PLAINTEXT://:1\n  - PLAINTEXT://:2\n' }).message).toMatch(/^listeners=PLAINTEXT:\/\/:1,PLAINTEXT:\/\/:2: must be a list of NAME:\/\/host:port with distinct names/);
    });

    it('carries key, value, rule and source on the error', () => {
      expect(failure({ sets: ['num.partitions=-3'] })).toMatchObject({ key: 'num.partitions', value: '-3', rule: 'must be >= 1', source: '--set' });
    });
  });

  describe('the shipped application.yml', () => {
    const shipped = readFileSync(join(REPO_ROOT, 'application.yml'), 'utf8');

    it('mentions every key the schemas bind', () => {
      const { keys, mapPrefixes } = knownConfigKeys();
      const missing = [...keys, ...mapPrefixes].filter((key) => !shipped.includes(key.split('.').pop()!));
      expect(missing).toEqual([]);
    });

    it('states the built-in defaults, except that it keeps data under ./data', () => {
      const fromFile = loadKafkanestConfig({ configFile: join(REPO_ROOT, 'application.yml'), env: {} });
      const builtIn = load();
      expect(fromFile.warnings).toEqual([]);
      expect(fromFile.broker.logDirs).toEqual(['./data/kafka-logs']);
      expect({ ...fromFile.broker, logDirs: [] }).toEqual({ ...builtIn.broker, logDirs: [] });
      expect(fromFile.client).toEqual(builtIn.client);
      expect(fromFile.admin).toEqual(builtIn.admin);
    });
  });
});
