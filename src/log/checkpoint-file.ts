import * as fs from 'node:fs';
import * as path from 'node:path';
import { LogDirIo } from './log-dir-io';
import { TMP_FILE_SUFFIX } from './log-file-names';

/**
 * Kafka's checkpoint text format, shared by recovery-point-offset-checkpoint,
 * replication-offset-checkpoint, log-start-offset-checkpoint and leader-epoch-checkpoint:
 *
 *   0                  version
 *   <count>            number of entry lines
 *   <field> <field>... one entry per line, space separated
 *
 * Written to `<file>.tmp`, fsynced, then renamed over the old file, so a crash leaves
 * either the old or the new checkpoint, never half of one. A file that does not parse is
 * reported as an error, not read as empty: the caller decides (recovery treats it as
 * "no checkpoint" and re-checks everything).
 */
const VERSION = 0;

export class CheckpointFile {
  constructor(
    readonly file: string,
    private readonly io: LogDirIo,
  ) {}

  write(lines: readonly string[]): void {
    const tmp = this.file + TMP_FILE_SUFFIX;
    const text = `${VERSION}\n${lines.length}\n${lines.map((l) => `${l}\n`).join('')}`;
    this.io.run(`write checkpoint ${this.file}`, () => {
      const fd = fs.openSync(tmp, 'w');
      try {
        fs.writeSync(fd, text);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, this.file);
      fsyncDir(path.dirname(this.file));
    });
  }

  /** The entry lines split into fields; undefined when the file does not exist. */
  read(): string[][] | undefined {
    const text = this.io.run(`read checkpoint ${this.file}`, () => (fs.existsSync(this.file) ? fs.readFileSync(this.file, 'utf8') : undefined));
    if (text === undefined) return undefined;
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    if (lines.length < 2 || Number(lines[0]) !== VERSION) throw new Error(`checkpoint ${this.file}: unknown version line "${lines[0] ?? ''}"`);
    const count = Number(lines[1]);
    if (!Number.isInteger(count) || count !== lines.length - 2) throw new Error(`checkpoint ${this.file}: expected ${lines[1]} entries, found ${lines.length - 2}`);
    return lines.slice(2).map((line) => line.split(' '));
  }
}

/** Makes a rename durable (the directory entry itself). */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
