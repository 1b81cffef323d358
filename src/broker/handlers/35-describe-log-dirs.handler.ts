// Api: DescribeLogDirs (key 35) v0–v4; not supported: future replicas (AlterReplicaLogDirs moves), so isFutureKey is always false.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Injectable } from '@nestjs/common';
import { LogManager } from '../../log/log-manager';
import type { PartitionLog } from '../../log/partition-log';
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { DescribeLogDirsApi, type DescribeLogDirsRequest, type DescribeLogDirsResponse, type DescribeLogDirsResult } from '../../protocol/schemas/describe-log-dirs.schema';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler } from '../api/kafka-api-handler';

/**
 * Every log dir of this broker with the replicas it holds (size on disk, lag), as
 * kafka-log-dirs.sh shows them. Every configured dir is listed, an empty one too; an
 * offline dir answers KAFKA_STORAGE_ERROR without replicas.
 */
@Injectable()
@KafkaApi(ApiKey.DescribeLogDirs)
export class DescribeLogDirsHandler implements KafkaApiHandler<typeof DescribeLogDirsApi> {
  readonly api = DescribeLogDirsApi;
  readonly versions = '0-4';

  constructor(private readonly logs: LogManager) {}

  handle(request: DescribeLogDirsRequest): DescribeLogDirsResponse {
    const wanted = request.topics === null ? null : new Map(request.topics.map((t) => [t.topic, new Set(t.partitions)]));
    const offline = new Set(this.logs.offlineLogDirs);
    const byDir = new Map<string, PartitionLog[]>(this.logs.config.logDirs.map((dir) => [path.resolve(dir), []]));
    for (const log of this.logs.allLogs) {
      if (wanted && !wanted.get(log.tp.topic)?.has(log.tp.partition)) continue;
      const dir = this.logs.logDirOf(log.tp);
      if (dir !== undefined) byDir.get(dir)?.push(log);
    }
    const results: DescribeLogDirsResult[] = [...byDir].map(([logDir, logs]) => {
      if (offline.has(logDir)) return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logDir, topics: [], totalBytes: -1, usableBytes: -1 };
      return { errorCode: ErrorCode.NONE, logDir, topics: describeTopics(logs), ...volumeSpace(logDir) };
    });
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, results };
  }
}

function describeTopics(logs: readonly PartitionLog[]): DescribeLogDirsResult['topics'] {
  const byTopic = new Map<string, DescribeLogDirsResult['topics'][number]['partitions']>();
  for (const log of logs) {
    let partitions = byTopic.get(log.tp.topic);
    if (!partitions) byTopic.set(log.tp.topic, (partitions = []));
    partitions.push({
      partitionIndex: log.tp.partition,
      partitionSize: log.size,
      // Kafka's definition for a current (not future) replica: how far the high watermark is past this log's end, never negative.
      offsetLag: Math.max(log.highWatermark - log.logEndOffset, 0),
      isFutureKey: false,
    });
  }
  return [...byTopic].map(([name, partitions]) => ({ name, partitions: partitions.sort((a, b) => a.partitionIndex - b.partitionIndex) }));
}

/** The volume's size and free space (v4); -1 when the platform cannot tell. */
function volumeSpace(dir: string): { totalBytes: number; usableBytes: number } {
  try {
    const stats = fs.statfsSync(dir);
    return { totalBytes: stats.blocks * stats.bsize, usableBytes: stats.bavail * stats.bsize };
  } catch {
    return { totalBytes: -1, usableBytes: -1 };
  }
}
