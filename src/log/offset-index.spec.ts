import * as fs from 'node:fs';
import * as path from 'node:path';
import { LogDirIo } from './log-dir-io';
import { makeTempDir } from './log.test-helpers';
import { OffsetIndex } from './offset-index';

describe('OffsetIndex', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let io: LogDirIo;
  beforeEach(() => {
    tmp = makeTempDir();
    io = new LogDirIo(tmp.dir);
  });
  afterEach(() => tmp.cleanup());

  const file = () => path.join(tmp.dir, '00000000000000000100.index');

  it('finds the last entry at or below the target, or the segment start', () => {
    const index = OffsetIndex.create(file(), 100, 1024, io);
    index.append(110, 4000);
    index.append(120, 8100);
    index.append(135, 12000);
    expect(index.lookup(99)).toEqual({ offset: 100, position: 0 });
    expect(index.lookup(109)).toEqual({ offset: 100, position: 0 });
    expect(index.lookup(110)).toEqual({ offset: 110, position: 4000 });
    expect(index.lookup(134)).toEqual({ offset: 120, position: 8100 });
    expect(index.lookup(10_000)).toEqual({ offset: 135, position: 12000 });
  });

  it('writes 8-byte big-endian entries relative to the base offset on flush', () => {
    const index = OffsetIndex.create(file(), 100, 1024, io);
    index.append(110, 4000);
    index.append(120, 8100);
    expect(fs.statSync(file()).size).toBe(0);
    index.flush();
    const bytes = fs.readFileSync(file());
    expect(bytes.length).toBe(16);
    expect([bytes.readUInt32BE(0), bytes.readUInt32BE(4), bytes.readUInt32BE(8), bytes.readUInt32BE(12)]).toEqual([10, 4000, 20, 8100]);
    const reopened = OffsetIndex.open(file(), 100, 1024, io);
    expect(reopened.entries).toBe(2);
    expect(reopened.lookup(125)).toEqual({ offset: 120, position: 8100 });
  });

  it('is full at maxIndexSize / 8 entries', () => {
    const index = OffsetIndex.create(file(), 0, 8 * 3, io);
    for (let i = 1; i <= 3; i++) index.append(i, i * 100);
    expect(index.maxEntries).toBe(3);
    expect(index.isFull).toBe(true);
  });

  it('refuses an entry that is not after the last one', () => {
    const index = OffsetIndex.create(file(), 0, 1024, io);
    index.append(5, 100);
    expect(() => index.append(5, 200)).toThrow(RangeError);
    expect(() => index.append(3, 200)).toThrow(RangeError);
  });

  it('truncates entries at and after an offset, also in the file', () => {
    const index = OffsetIndex.create(file(), 0, 1024, io);
    for (let i = 1; i <= 5; i++) index.append(i * 10, i * 1000);
    index.flush();
    index.truncateTo(30);
    expect(index.entries).toBe(2);
    expect(index.lastOffset).toBe(20);
    index.append(25, 2500);
    index.flush();
    expect(fs.statSync(file()).size).toBe(24);
    expect(OffsetIndex.open(file(), 0, 1024, io).lookup(29)).toEqual({ offset: 25, position: 2500 });
  });

  it('sanity check rejects entries past the segment or out of order', () => {
    const index = OffsetIndex.create(file(), 0, 1024, io);
    index.append(10, 1000);
    index.append(20, 2000);
    expect(index.sanityCheck(21, 3000)).toBeUndefined();
    expect(index.sanityCheck(20, 3000)).toMatch(/past the segment's end offset/);
    expect(index.sanityCheck(21, 2000)).toMatch(/past the segment's 2000 bytes/);
    index.flush();
    const bytes = fs.readFileSync(file());
    bytes.writeUInt32BE(500, 12); // second position before the first
    fs.writeFileSync(file(), bytes);
    expect(OffsetIndex.open(file(), 0, 1024, io).sanityCheck(21, 3000)).toMatch(/not after the previous/);
  });

  it('drops a torn partial entry at load', () => {
    fs.writeFileSync(file(), Buffer.from([0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0]));
    const index = OffsetIndex.open(file(), 100, 1024, io);
    expect(index.entries).toBe(1);
    index.flush();
    expect(fs.statSync(file()).size).toBe(8);
  });
});

