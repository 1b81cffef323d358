import * as fs from 'node:fs';
import * as path from 'node:path';
import { LogDirIo } from './log-dir-io';
import { makeTempDir } from './log.test-helpers';
import { TimeIndex } from './time-index';

describe('TimeIndex', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let io: LogDirIo;
  beforeEach(() => {
    tmp = makeTempDir();
    io = new LogDirIo(tmp.dir);
  });
  afterEach(() => tmp.cleanup());
  const file = () => path.join(tmp.dir, '00000000000000000050.timeindex');

  it('appends only growing timestamps and looks up the last entry at or below a timestamp', () => {
    const index = TimeIndex.create(file(), 50, 1200, io);
    index.maybeAppend(1000, 55);
    index.maybeAppend(1000, 60); // not larger: skipped
    index.maybeAppend(900, 61); // older: skipped
    index.maybeAppend(2000, 70);
    expect(index.entries).toBe(2);
    expect(index.lookup(999)).toEqual({ timestamp: -1, offset: 50 });
    expect(index.lookup(1500)).toEqual({ timestamp: 1000, offset: 55 });
    expect(index.lookup(5000)).toEqual({ timestamp: 2000, offset: 70 });
    expect(index.lastEntry).toEqual({ timestamp: 2000, offset: 70 });
  });

  it('writes 12-byte entries (i64 timestamp, u32 relative offset)', () => {
    const index = TimeIndex.create(file(), 50, 1200, io);
    index.maybeAppend(1_700_000_000_123, 57);
    index.flush();
    const bytes = fs.readFileSync(file());
    expect(bytes.length).toBe(12);
    expect(bytes.readBigInt64BE(0)).toBe(1_700_000_000_123n);
    expect(bytes.readUInt32BE(8)).toBe(7);
  });

  it('truncation removes entries pointing at or after the offset; a forced append ignores fullness', () => {
    const index = TimeIndex.create(file(), 0, 24, io);
    index.maybeAppend(10, 1);
    index.maybeAppend(20, 2);
    expect(index.isFull).toBe(true);
    index.maybeAppend(30, 3);
    expect(index.entries).toBe(2);
    index.maybeAppend(30, 3, true);
    expect(index.entries).toBe(3);
    index.truncateTo(2);
    expect(index.lastEntry).toEqual({ timestamp: 10, offset: 1 });
  });
});
