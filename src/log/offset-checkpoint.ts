import { CheckpointFile } from './checkpoint-file';
import { LogDirIo } from './log-dir-io';
import { TopicPartition, partitionDirName } from './log-file-names';

/**
 * A per-log-dir map of partition → offset in Kafka's checkpoint format
 * (`<topic> <partition> <offset>` lines): recovery points, high watermarks and log
 * start offsets. Keys are the partition dir names (`{topic}-{partition}`).
 */
export class OffsetCheckpoint {
  private readonly file: CheckpointFile;

  constructor(file: string, io: LogDirIo) {
    this.file = new CheckpointFile(file, io);
  }

  write(offsets: Iterable<[TopicPartition, number]>): void {
    const lines: string[] = [];
    for (const [tp, offset] of offsets) lines.push(`${tp.topic} ${tp.partition} ${offset}`);
    this.file.write(lines);
  }

  /** Missing file → empty map; a file that does not parse → undefined (trust nothing). */
  read(): Map<string, number> | undefined {
    let entries: string[][] | undefined;
    try {
      entries = this.file.read();
    } catch {
      return undefined;
    }
    const offsets = new Map<string, number>();
    for (const fields of entries ?? []) {
      if (fields.length !== 3) return undefined;
      const [topic, partition, offset] = [fields[0], Number(fields[1]), Number(fields[2])];
      if (!Number.isInteger(partition) || !Number.isInteger(offset)) return undefined;
      offsets.set(partitionDirName({ topic, partition }), offset);
    }
    return offsets;
  }
}
