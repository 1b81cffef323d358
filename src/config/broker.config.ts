import { IsOptional } from 'class-validator';
import { ConfigKey } from './config-key.decorator';
import { AtLeast, Between, NotAbove, Satisfies } from './config-rules';
import { parseDurationMs } from './config-value-kinds';
import { formatListener, isListenerList, isWildcardHost, LISTENER_RULE, parseListener } from './listener-address';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/** `host:port` pairs, comma-separated, with an optional chroot path after the last one (Kafka's syntax). */
const ZOOKEEPER_CONNECT = /^[A-Za-z0-9._-]+:\d{1,5}(,[A-Za-z0-9._-]+:\d{1,5})*(\/[^\s,]*)?$/;
export const EMBEDDED_STORE = 'embedded';

export const DEFAULT_DELAY_LEVELS = '1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h';
/** At most 99 levels: the level topics are named __delay_level_01 ... __delay_level_99. */
export const MAX_DELAY_LEVELS = 99;
const DELAY_LEVELS_RULE = `must be 1 to ${MAX_DELAY_LEVELS} positive durations such as 1s 5s 1m 2h, separated by spaces or commas`;

/** delay.levels as milliseconds, undefined when any item is not a positive duration. */
export function parseDelayLevels(text: string): number[] | undefined {
  const items = text.split(/[\s,]+/).filter((item) => item.length > 0);
  if (items.length === 0 || items.length > MAX_DELAY_LEVELS) return undefined;
  const levels: number[] = [];
  for (const item of items) {
    let ms: number;
    try {
      ms = parseDurationMs(item);
    } catch {
      return undefined;
    }
    if (!Number.isInteger(ms) || ms <= 0) return undefined;
    levels.push(ms);
  }
  return levels;
}

/**
 * Broker settings under Kafka's own property names, with Kafka 3.9's defaults, so a
 * server.properties carries over key for key. Later issues add keys here as they
 * need them (one property, one line in application.yml).
 */
export class BrokerConfig {
  /**
   * Kafka's code default is -1 (generate an id), but its shipped server.properties sets 0
   * and id generation belongs to a later issue, so 0 it is.
   */
  @ConfigKey('broker.id', 'int')
  @AtLeast(0)
  brokerId = 0;

  @ConfigKey('listeners', 'list')
  @Satisfies('listeners', isListenerList, `must be ${LISTENER_RULE}`)
  listeners: string[] = ['PLAINTEXT://0.0.0.0:9092'];

  /**
   * Clients connect to exactly what Metadata advertises, and 0.0.0.0 is a bind address
   * nobody can connect to (Kafka rejects it here for that reason). Kafka falls back to
   * the machine's hostname; we use `localhost`, because the unconfigured case is a
   * single-node development broker and a container's hostname often does not resolve
   * from the client's side. Multi-host deployments set this key.
   */
  @ConfigKey('advertised.listeners', 'list')
  @Satisfies('advertisedListeners', isListenerList, `must be ${LISTENER_RULE}`)
  @Satisfies(
    'advertisedListenersRoutable',
    (value) => !Array.isArray(value) || value.every((item) => !isWildcardHost(parseListener(String(item))?.host ?? 'x')),
    'must not advertise an empty or wildcard host such as 0.0.0.0',
  )
  advertisedListeners: string[] = [];

  /** Fallback for log.dirs, as in Kafka. */
  @ConfigKey('log.dir', 'string')
  logDir = '/tmp/kafka-logs';

  /** An empty list counts as unset, like any empty value, and falls back to log.dir. */
  @ConfigKey('log.dirs', 'list')
  logDirs: string[] = [];

  /** At least one legacy v0 record's overhead (14 bytes), Kafka's own lower bound. */
  @ConfigKey('log.segment.bytes', 'int')
  @AtLeast(14)
  logSegmentBytes = 1073741824;

  @ConfigKey('log.roll.hours', 'int')
  @AtLeast(1)
  logRollHours = 168;

  /** Wins over log.roll.hours when set; after binding it always holds the effective value. */
  @ConfigKey('log.roll.ms', 'long')
  @AtLeast(1)
  logRollMs!: number;

  @ConfigKey('log.retention.minutes', 'int')
  @IsOptional()
  logRetentionMinutes?: number;

  @ConfigKey('log.retention.hours', 'int')
  logRetentionHours = 168;

  /** ms > minutes > hours, as in Kafka; -1 keeps data forever. Holds the effective value after binding. */
  @ConfigKey('log.retention.ms', 'long')
  logRetentionMs!: number;

  /** -1 = no size limit. */
  @ConfigKey('log.retention.bytes', 'long')
  @AtLeast(-1)
  logRetentionBytes = -1;

  @ConfigKey('log.retention.check.interval.ms', 'long')
  @AtLeast(1)
  logRetentionCheckIntervalMs = 300000;

  @ConfigKey('log.index.interval.bytes', 'int')
  @AtLeast(0)
  logIndexIntervalBytes = 4096;

  @ConfigKey('log.index.size.max.bytes', 'int')
  @AtLeast(4)
  logIndexSizeMaxBytes = 10485760;

  /** Kafka's default is Long.MAX_VALUE, i.e. never flush by count: unset here. */
  @ConfigKey('log.flush.interval.messages', 'long', { longMaxMeansUnset: true })
  @IsOptional()
  @AtLeast(1)
  logFlushIntervalMessages?: number;

  /** Unset: no time-based flush; the OS writes pages back and recovery covers a crash. */
  @ConfigKey('log.flush.interval.ms', 'long', { longMaxMeansUnset: true })
  @IsOptional()
  @AtLeast(0)
  logFlushIntervalMs?: number;

  @ConfigKey('num.partitions', 'int')
  @AtLeast(1)
  numPartitions = 1;

  @ConfigKey('default.replication.factor', 'int')
  @AtLeast(1)
  defaultReplicationFactor = 1;

  @ConfigKey('min.insync.replicas', 'int')
  @AtLeast(1)
  minInsyncReplicas = 1;

  @ConfigKey('auto.create.topics.enable', 'boolean')
  autoCreateTopicsEnable = true;

  @ConfigKey('delete.topic.enable', 'boolean')
  deleteTopicEnable = true;

  @ConfigKey('message.max.bytes', 'int')
  @AtLeast(0)
  messageMaxBytes = 1048588;

  @ConfigKey('socket.request.max.bytes', 'int')
  @AtLeast(1)
  socketRequestMaxBytes = 104857600;

  @ConfigKey('connections.max.idle.ms', 'long')
  connectionsMaxIdleMs = 600000;

  @ConfigKey('replica.lag.time.max.ms', 'long')
  @AtLeast(1)
  replicaLagTimeMaxMs = 30000;

  /** How long a follower's fetch may wait at the leader for data; below replica.lag.time.max.ms, as Kafka requires. */
  @ConfigKey('replica.fetch.wait.max.ms', 'int')
  @AtLeast(0)
  @NotAbove('replicaLagTimeMaxMs', 'replica.lag.time.max.ms')
  replicaFetchWaitMaxMs = 500;

  @ConfigKey('replica.fetch.min.bytes', 'int')
  @AtLeast(1)
  replicaFetchMinBytes = 1;

  /** Per partition; the first batch comes whole even when larger, so a follower never stalls. */
  @ConfigKey('replica.fetch.max.bytes', 'int')
  @AtLeast(0)
  replicaFetchMaxBytes = 1048576;

  /** Per fetch response, over all partitions. */
  @ConfigKey('replica.fetch.response.max.bytes', 'int')
  @AtLeast(0)
  replicaFetchResponseMaxBytes = 10485760;

  /** Pause after a failed follower fetch (leader unreachable, partition error). */
  @ConfigKey('replica.fetch.backoff.ms', 'int')
  @AtLeast(0)
  replicaFetchBackoffMs = 1000;

  /** A follower's request to its leader fails after this long without an answer (plus the fetch wait). */
  @ConfigKey('replica.socket.timeout.ms', 'int')
  @AtLeast(1)
  replicaSocketTimeoutMs = 30000;

  @ConfigKey('unclean.leader.election.enable', 'boolean')
  uncleanLeaderElectionEnable = false;

  /** On SIGTERM, ask the controller to move this broker's leaderships before stopping. */
  @ConfigKey('controlled.shutdown.enable', 'boolean')
  controlledShutdownEnable = true;

  @ConfigKey('controlled.shutdown.max.retries', 'int')
  @AtLeast(0)
  controlledShutdownMaxRetries = 3;

  @ConfigKey('controlled.shutdown.retry.backoff.ms', 'long')
  @AtLeast(0)
  controlledShutdownRetryBackoffMs = 5000;

  /** The controller moves leadership back to each partition's preferred (first) replica when a broker's share is off. */
  @ConfigKey('auto.leader.rebalance.enable', 'boolean')
  autoLeaderRebalanceEnable = true;

  @ConfigKey('leader.imbalance.check.interval.seconds', 'long')
  @AtLeast(1)
  leaderImbalanceCheckIntervalSeconds = 300;

  /** A broker leading fewer than this percentage of the partitions it is preferred for triggers the rebalance. */
  @ConfigKey('leader.imbalance.per.broker.percentage', 'int')
  @Between(0, 100)
  leaderImbalancePerBrokerPercentage = 10;

  @ConfigKey('group.min.session.timeout.ms', 'int')
  @AtLeast(1)
  @NotAbove('groupMaxSessionTimeoutMs', 'group.max.session.timeout.ms')
  groupMinSessionTimeoutMs = 6000;

  @ConfigKey('group.max.session.timeout.ms', 'int')
  @AtLeast(1)
  groupMaxSessionTimeoutMs = 1800000;

  @ConfigKey('group.initial.rebalance.delay.ms', 'int')
  @AtLeast(0)
  groupInitialRebalanceDelayMs = 3000;

  @ConfigKey('offsets.commit.timeout.ms', 'int')
  @AtLeast(1)
  offsetsCommitTimeoutMs = 5000;

  @ConfigKey('offset.metadata.max.bytes', 'int')
  @AtLeast(0)
  offsetMetadataMaxBytes = 4096;

  /** '' or `embedded`: the in-process metadata store; otherwise a ZooKeeper connect string. */
  @ConfigKey('zookeeper.connect', 'string')
  @Satisfies(
    'zookeeperConnect',
    (value) => value === '' || value === EMBEDDED_STORE || (typeof value === 'string' && ZOOKEEPER_CONNECT.test(value)),
    `must be empty, "${EMBEDDED_STORE}", or host:port[,host:port...][/chroot]`,
  )
  zookeeperConnect = '';

  @ConfigKey('zookeeper.session.timeout.ms', 'int')
  @AtLeast(1)
  zookeeperSessionTimeoutMs = 18000;

  /** Unset in Kafka means "the session timeout"; after binding it holds the effective value. */
  @ConfigKey('zookeeper.connection.timeout.ms', 'int')
  @AtLeast(1)
  zookeeperConnectionTimeoutMs!: number;

  /** Delayed messages (x-delay-level / x-deliver-at headers); off, produced records are never inspected for them. */
  @ConfigKey('delay.enable', 'boolean')
  delayEnable = true;

  /** RocketMQ's 18 levels by default; level N is the Nth duration. Space- or comma-separated. */
  @ConfigKey('delay.levels', 'string')
  @Satisfies('delayLevels', (value) => typeof value === 'string' && parseDelayLevels(value) !== undefined, DELAY_LEVELS_RULE)
  delayLevels = DEFAULT_DELAY_LEVELS;

  /** How often each delay scheduler looks for due records when it has nothing sooner to wait for. */
  @ConfigKey('delay.tick.ms', 'int')
  @Between(1, 1000)
  delayTickMs = 100;

  /**
   * Replicas of each internal delay topic (Kafka's offsets.topic.replication.factor): they are
   * created once this many brokers are alive. A single node on the embedded store uses 1.
   */
  @ConfigKey('delay.topic.replication.factor', 'int')
  @AtLeast(1)
  delayTopicReplicationFactor = 3;

  /** delay.levels in milliseconds, level 1 first. */
  get delayLevelsMs(): number[] {
    return parseDelayLevels(this.delayLevels) ?? [];
  }

  get usesEmbeddedStore(): boolean {
    return this.zookeeperConnect === '' || this.zookeeperConnect === EMBEDDED_STORE;
  }

  /** Defaults Kafka computes from other keys; the binder calls this before validation. */
  applyDerivedDefaults(): void {
    if (this.logDirs.length === 0) this.logDirs = [this.logDir];
    if (this.advertisedListeners.length === 0) {
      this.advertisedListeners = this.listeners.map((text) => {
        const listener = parseListener(text);
        return listener && isWildcardHost(listener.host) ? formatListener({ ...listener, host: 'localhost' }) : text;
      });
    }
    this.logRollMs ??= this.logRollHours * HOUR_MS;
    this.logRetentionMs ??= this.logRetentionMinutes !== undefined ? this.logRetentionMinutes * MINUTE_MS : this.logRetentionHours * HOUR_MS;
    // Kafka reads any negative retention as "forever"; keep one spelling of it.
    if (this.logRetentionMs < 0) this.logRetentionMs = -1;
    this.zookeeperConnectionTimeoutMs ??= this.zookeeperSessionTimeoutMs;
  }
}
