import { randomUUID } from 'node:crypto';
import * as path from 'node:path';

/**
 * Every file and directory name of the on-disk layout is built and parsed here, with
 * Kafka's spelling, so a Kafka tool (kafka-dump-log, kafka-log-dirs) reads our dirs:
 *
 *   {log.dir}/.kafka_cleanshutdown                      present only after a clean stop
 *   {log.dir}/recovery-point-offset-checkpoint          "0\n<n>\n<topic> <partition> <offset>\n..."
 *   {log.dir}/replication-offset-checkpoint             same format, high watermarks
 *   {log.dir}/log-start-offset-checkpoint               same format, log start offsets
 *   {log.dir}/{topic}-{partition}/                      one partition
 *   {log.dir}/{topic}-{partition}.{uuid32}-delete/      a deleted partition awaiting removal
 *   {partition dir}/{baseOffset, 20 digits}.log | .index | .timeindex  (+ .deleted, .cleaned)
 *   {partition dir}/leader-epoch-checkpoint             "0\n<n>\n<epoch> <startOffset>\n..."
 */
export const LOG_FILE_SUFFIX = '.log';
export const INDEX_FILE_SUFFIX = '.index';
export const TIME_INDEX_FILE_SUFFIX = '.timeindex';
export const DELETED_FILE_SUFFIX = '.deleted';
export const CLEANED_FILE_SUFFIX = '.cleaned';
export const SWAP_FILE_SUFFIX = '.swap';
export const DELETE_DIR_SUFFIX = '-delete';
export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';
export const RECOVERY_POINT_CHECKPOINT_FILE = 'recovery-point-offset-checkpoint';
export const REPLICATION_OFFSET_CHECKPOINT_FILE = 'replication-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT_FILE = 'log-start-offset-checkpoint';
export const LEADER_EPOCH_CHECKPOINT_FILE = 'leader-epoch-checkpoint';
/** Suffix of the temporary file a checkpoint is written to before the atomic rename. */
export const TMP_FILE_SUFFIX = '.tmp';

const OFFSET_DIGITS = 20;

export function filenamePrefixFromOffset(offset: number): string {
  return String(offset).padStart(OFFSET_DIGITS, '0');
}

export const logFile = (dir: string, baseOffset: number, suffix = ''): string =>
  path.join(dir, filenamePrefixFromOffset(baseOffset) + LOG_FILE_SUFFIX + suffix);
export const offsetIndexFile = (dir: string, baseOffset: number, suffix = ''): string =>
  path.join(dir, filenamePrefixFromOffset(baseOffset) + INDEX_FILE_SUFFIX + suffix);
export const timeIndexFile = (dir: string, baseOffset: number, suffix = ''): string =>
  path.join(dir, filenamePrefixFromOffset(baseOffset) + TIME_INDEX_FILE_SUFFIX + suffix);
export const leaderEpochCheckpointFile = (partitionDir: string): string => path.join(partitionDir, LEADER_EPOCH_CHECKPOINT_FILE);
export const cleanShutdownFile = (logDir: string): string => path.join(logDir, CLEAN_SHUTDOWN_FILE);

/** `00000000000000000042.log` → 42; anything else → undefined. */
export function offsetFromSegmentFileName(fileName: string, suffix: string): number | undefined {
  if (!fileName.endsWith(suffix)) return undefined;
  const prefix = fileName.slice(0, -suffix.length);
  if (!/^\d{20}$/.test(prefix)) return undefined;
  return Number(prefix);
}

/** Files left by an interrupted deletion or compaction; removed at start-up as Kafka does. */
export function isLeftoverFile(fileName: string): boolean {
  return fileName.endsWith(DELETED_FILE_SUFFIX) || fileName.endsWith(CLEANED_FILE_SUFFIX) || fileName.endsWith(SWAP_FILE_SUFFIX) || fileName.endsWith(TMP_FILE_SUFFIX);
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export const partitionDirName = (tp: TopicPartition): string => `${tp.topic}-${tp.partition}`;

/** Kafka's name for a partition dir queued for asynchronous removal: `{topic}-{p}.{uuid without dashes}-delete`. */
export const deletedPartitionDirName = (tp: TopicPartition): string =>
  `${partitionDirName(tp)}.${randomUUID().replace(/-/g, '')}${DELETE_DIR_SUFFIX}`;

export const isDeletedPartitionDir = (name: string): boolean => /\.[0-9a-f]{32}-delete$/.test(name);

/** `{topic}-{partition}` → its parts (topics may contain '-' and '.', so split at the last '-'). */
export function parsePartitionDirName(name: string): TopicPartition | undefined {
  const dash = name.lastIndexOf('-');
  if (dash <= 0) return undefined;
  const p = name.slice(dash + 1);
  if (!/^\d+$/.test(p)) return undefined;
  return { topic: name.slice(0, dash), partition: Number(p) };
}
