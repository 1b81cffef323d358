import * as fs from 'node:fs';
import * as path from 'node:path';
import { Logger } from '@nestjs/common';
import { LogConfig, LogLogger, TopicLogConfig, topicConfig } from './log-config';
import { LogDirIo } from './log-dir-io';
import { KafkaStorageError } from './log-errors';
import {
  LOG_START_OFFSET_CHECKPOINT_FILE,
  RECOVERY_POINT_CHECKPOINT_FILE,
  REPLICATION_OFFSET_CHECKPOINT_FILE,
  TopicPartition,
  cleanShutdownFile,
  deletedPartitionDirName,
  isDeletedPartitionDir,
  parsePartitionDirName,
  partitionDirName,
} from './log-file-names';
import { OffsetCheckpoint } from './offset-checkpoint';
import { PartitionLog } from './partition-log';

interface LogDir {
  path: string;
  io: LogDirIo;
  recoveryPoints: OffsetCheckpoint;
  highWatermarks: OffsetCheckpoint;
  logStartOffsets: OffsetCheckpoint;
}

export interface LogManagerOptions {
  /** Injected clock (tests move time instead of sleeping). */
  now?: () => number;
  logger?: LogLogger;
}

/**
 * Owns every partition log of this broker across log.dirs.
 *
 *   {log.dir}/.kafka_cleanshutdown                 written last on a clean shutdown, removed after start-up
 *   {log.dir}/recovery-point-offset-checkpoint     per partition: offsets below are fsynced
 *   {log.dir}/replication-offset-checkpoint        per partition: high watermark
 *   {log.dir}/log-start-offset-checkpoint          per partition: log start offset
 *   {log.dir}/{topic}-{partition}/                 a PartitionLog
 *   {log.dir}/{topic}-{partition}.{uuid}-delete/   a deleted partition, removed after file.delete.delay.ms
 *
 * Placement: a new partition goes to the online dir holding the fewest partitions (ties:
 * the first listed). Start-up loads every partition dir it finds; without the clean
 * shutdown marker, each partition is recovered from its recovery point (see
 * PartitionLog). Timers (unref'd) run retention, the flush.ms policy and checkpoints.
 *
 * Failure policy: an I/O error takes its log dir offline (LogDirIo); its partitions
 * answer KafkaStorageError, the other dirs keep serving.
 */
export class LogManager {
  readonly config: LogConfig;
  private readonly now: () => number;
  private readonly logger: LogLogger;
  private readonly dirs: LogDir[];
  private readonly logs = new Map<string, { log: PartitionLog; dir: LogDir }>();
  private readonly topicOverrides = new Map<string, Partial<TopicLogConfig>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly removals = new Set<Promise<void>>();
  private started = false;

  constructor(config: LogConfig, options: LogManagerOptions = {}) {
    this.config = config;
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? new Logger('LogManager');
    this.dirs = config.logDirs.map((dir) => {
      const resolved = path.resolve(dir);
      const io = new LogDirIo(resolved);
      io.onOffline((failed, error) => this.logger.error(`log dir ${failed} is offline: ${error instanceof Error ? error.message : error}`));
      return {
        path: resolved,
        io,
        recoveryPoints: new OffsetCheckpoint(path.join(resolved, RECOVERY_POINT_CHECKPOINT_FILE), io),
        highWatermarks: new OffsetCheckpoint(path.join(resolved, REPLICATION_OFFSET_CHECKPOINT_FILE), io),
        logStartOffsets: new OffsetCheckpoint(path.join(resolved, LOG_START_OFFSET_CHECKPOINT_FILE), io),
      };
    });
  }

  /** Nest lifecycle: load logs before the broker starts serving. */
  onModuleInit(): void {
    this.startup();
  }

  /** Nest lifecycle: a clean shutdown (flush, checkpoints, marker). */
  async onApplicationShutdown(): Promise<void> {
    await this.shutdown();
  }

  startup(): void {
    if (this.started) return;
    for (const dir of this.dirs) {
      try {
        this.loadDir(dir);
      } catch (error) {
        if (!(error instanceof KafkaStorageError)) throw error;
        this.logger.error(`log dir ${dir.path} could not be loaded: ${error.message}`);
      }
    }
    if (this.dirs.every((d) => d.io.offline)) throw new KafkaStorageError('every log dir is offline', this.dirs.map((d) => d.path).join(','));
    this.schedule(() => this.enforceRetention(), this.config.retentionCheckIntervalMs);
    this.schedule(() => void this.flushDueLogs(), this.config.flushCheckIntervalMs);
    this.schedule(() => this.checkpoint(), this.config.checkpointIntervalMs);
    this.started = true;
  }

  private schedule(task: () => void, intervalMs: number): void {
    const timer = setInterval(task, intervalMs);
    timer.unref();
    this.timers.push(timer);
  }

  private loadDir(dir: LogDir): void {
    dir.io.run(`create ${dir.path}`, () => fs.mkdirSync(dir.path, { recursive: true }));
    const marker = cleanShutdownFile(dir.path);
    const cleanShutdown = dir.io.run(`check ${marker}`, () => fs.existsSync(marker));
    const recoveryPoints = dir.recoveryPoints.read();
    const highWatermarks = dir.highWatermarks.read() ?? new Map<string, number>();
    const logStartOffsets = dir.logStartOffsets.read() ?? new Map<string, number>();
    // An unreadable recovery-point checkpoint means nothing is known to be flushed: recover all.
    const trustClean = cleanShutdown && recoveryPoints !== undefined;
    const entries = dir.io.run(`list ${dir.path}`, () => fs.readdirSync(dir.path, { withFileTypes: true }));
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      if (isDeletedPartitionDir(entry.name)) {
        this.removeLater(dir, path.join(dir.path, entry.name), 0);
        continue;
      }
      const tp = parsePartitionDirName(entry.name);
      if (!tp) continue;
      const key = partitionDirName(tp);
      const existing = this.logs.get(key);
      if (existing) throw new Error(`partition ${key} exists in two log dirs: ${existing.dir.path} and ${dir.path}`);
      const log = PartitionLog.open({
        tp,
        dir: path.join(dir.path, entry.name),
        config: topicConfig(this.config, this.topicOverrides.get(tp.topic)),
        io: dir.io,
        logger: this.logger,
        now: this.now,
        recoveryPoint: recoveryPoints?.get(key) ?? 0,
        logStartOffset: logStartOffsets.get(key),
        highWatermark: highWatermarks.get(key),
        cleanShutdown: trustClean,
        onLogStartOffsetChanged: () => this.checkpointLogStartOffsets(dir),
      });
      this.logs.set(key, { log, dir });
    }
    if (cleanShutdown) dir.io.run(`delete ${marker}`, () => fs.rmSync(marker, { force: true }));
  }

  getLog(tp: TopicPartition): PartitionLog | undefined {
    return this.logs.get(partitionDirName(tp))?.log;
  }

  /** The partition's log, created in the least-loaded online dir when it does not exist. */
  getOrCreateLog(tp: TopicPartition, overrides?: Partial<TopicLogConfig>): PartitionLog {
    if (overrides) this.topicOverrides.set(tp.topic, { ...this.topicOverrides.get(tp.topic), ...overrides });
    const existing = this.logs.get(partitionDirName(tp));
    if (existing) {
      if (overrides) existing.log.updateConfig(topicConfig(this.config, this.topicOverrides.get(tp.topic)));
      return existing.log;
    }
    const dir = this.nextLogDir();
    const log = PartitionLog.open({
      tp,
      dir: path.join(dir.path, partitionDirName(tp)),
      config: topicConfig(this.config, this.topicOverrides.get(tp.topic)),
      io: dir.io,
      logger: this.logger,
      now: this.now,
      cleanShutdown: true,
      onLogStartOffsetChanged: () => this.checkpointLogStartOffsets(dir),
    });
    this.logs.set(partitionDirName(tp), { log, dir });
    return log;
  }

  /** Kafka's placement: the online dir with the fewest partitions, the first on ties. */
  private nextLogDir(): LogDir {
    const counts = new Map<LogDir, number>(this.dirs.filter((d) => !d.io.offline).map((d) => [d, 0]));
    for (const { dir } of this.logs.values()) if (counts.has(dir)) counts.set(dir, counts.get(dir)! + 1);
    let best: LogDir | undefined;
    for (const [dir, count] of counts) if (best === undefined || count < counts.get(best)!) best = dir;
    if (!best) throw new KafkaStorageError('no online log dir to place a new partition in', this.dirs.map((d) => d.path).join(','));
    return best;
  }

  /** Per-topic overrides (retention.ms, segment.bytes, ...) applied to its existing and future partitions. */
  updateTopicConfig(topic: string, overrides: Partial<TopicLogConfig>): void {
    this.topicOverrides.set(topic, overrides);
    for (const { log } of this.logs.values()) if (log.tp.topic === topic) log.updateConfig(topicConfig(this.config, overrides));
  }

  get allLogs(): PartitionLog[] {
    return [...this.logs.values()].map((e) => e.log);
  }

  logDirOf(tp: TopicPartition): string | undefined {
    return this.logs.get(partitionDirName(tp))?.dir.path;
  }

  get offlineLogDirs(): string[] {
    return this.dirs.filter((d) => d.io.offline).map((d) => d.path);
  }

  onLogDirFailure(listener: (dir: string, error: unknown) => void): void {
    for (const dir of this.dirs) dir.io.onOffline(listener);
  }

  /**
   * Deletes a partition as Kafka does: the dir is renamed to
   * `{topic}-{p}.{uuid}-delete` at once (so a restart never loads it again) and removed
   * in the background after file.delete.delay.ms.
   */
  deleteLog(tp: TopicPartition): boolean {
    const key = partitionDirName(tp);
    const entry = this.logs.get(key);
    if (!entry) return false;
    this.logs.delete(key);
    entry.log.closeWithoutFlush();
    const target = path.join(entry.dir.path, deletedPartitionDirName(tp));
    entry.dir.io.run(`rename ${entry.log.dir}`, () => fs.renameSync(entry.log.dir, target));
    this.checkpointDir(entry.dir);
    this.removeLater(entry.dir, target, entry.log.topicConfig.fileDeleteDelayMs);
    return true;
  }

  deleteTopic(topic: string): number {
    let deleted = 0;
    for (const log of this.allLogs) if (log.tp.topic === topic && this.deleteLog(log.tp)) deleted++;
    this.topicOverrides.delete(topic);
    return deleted;
  }

  private removeLater(dir: LogDir, target: string, delayMs: number): void {
    const removal = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        fs.promises
          .rm(target, { recursive: true, force: true })
          .catch((error) => this.logger.error(`could not remove ${target} in ${dir.path}: ${error instanceof Error ? error.message : error}`))
          .finally(() => {
            this.removals.delete(removal);
            resolve();
          });
      }, delayMs);
      timer.unref();
    });
    this.removals.add(removal);
  }

  /** Waits for background removals of deleted partitions (tests, shutdown). */
  async awaitRemovals(): Promise<void> {
    await Promise.all([...this.removals]);
  }

  /** One retention pass over every log; returns how many segments went. */
  enforceRetention(): number {
    let deleted = 0;
    for (const { log } of this.logs.values()) {
      try {
        deleted += log.enforceRetention();
      } catch (error) {
        this.logger.error(`retention of ${log.dir} failed: ${error instanceof Error ? error.message : error}`);
      }
    }
    return deleted;
  }

  private async flushDueLogs(): Promise<void> {
    await Promise.all(
      [...this.logs.values()].map(({ log }) =>
        log.maybeFlushByTime().catch((error) => this.logger.error(`flush of ${log.dir} failed: ${error instanceof Error ? error.message : error}`)),
      ),
    );
  }

  /** Writes the three offset checkpoints of every online dir. */
  checkpoint(): void {
    for (const dir of this.dirs) {
      if (dir.io.offline) continue;
      try {
        this.checkpointDir(dir);
      } catch (error) {
        this.logger.error(`checkpoint of ${dir.path} failed: ${error instanceof Error ? error.message : error}`);
      }
    }
  }

  private logsIn(dir: LogDir): PartitionLog[] {
    return [...this.logs.values()].filter((e) => e.dir === dir).map((e) => e.log);
  }

  private checkpointDir(dir: LogDir): void {
    const logs = this.logsIn(dir);
    dir.recoveryPoints.write(logs.map((log) => [log.tp, log.recoveryPoint]));
    dir.highWatermarks.write(logs.map((log) => [log.tp, log.highWatermark]));
    this.checkpointLogStartOffsets(dir);
  }

  private checkpointLogStartOffsets(dir: LogDir): void {
    dir.logStartOffsets.write(this.logsIn(dir).map((log) => [log.tp, log.logStartOffset]));
  }

  /**
   * Clean shutdown: every log fsynced and closed, checkpoints written with recovery
   * point = log end, then the marker — last, so its presence proves all of the above.
   */
  async shutdown(): Promise<void> {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    if (!this.started) return;
    this.started = false;
    for (const dir of this.dirs) {
      if (dir.io.offline) continue;
      try {
        for (const log of this.logsIn(dir)) await log.close();
        this.checkpointDir(dir);
        const marker = cleanShutdownFile(dir.path);
        dir.io.run(`write ${marker}`, () => fs.writeFileSync(marker, ''));
      } catch (error) {
        this.logger.error(`clean shutdown of ${dir.path} failed: ${error instanceof Error ? error.message : error}`);
      }
    }
    for (const { log } of this.logs.values()) log.closeWithoutFlush();
    this.logs.clear();
  }
}
