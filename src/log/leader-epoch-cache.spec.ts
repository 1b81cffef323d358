import * as fs from 'node:fs';
import * as path from 'node:path';
import { LeaderEpochCache } from './leader-epoch-cache';
import { LogDirIo } from './log-dir-io';
import { makeTempDir } from './log.test-helpers';

describe('LeaderEpochCache', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let file: string;
  let cache: LeaderEpochCache;
  beforeEach(() => {
    tmp = makeTempDir();
    file = path.join(tmp.dir, 'leader-epoch-checkpoint');
    cache = new LeaderEpochCache(file, new LogDirIo(tmp.dir));
  });
  afterEach(() => tmp.cleanup());

  it('ignores stale epochs and drops entries a new epoch starts before', () => {
    cache.assign(1, 0);
    cache.assign(2, 10);
    cache.assign(1, 20);
    cache.assign(5, 10);
    expect(cache.all).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 5, startOffset: 10 },
    ]);
    expect(fs.readFileSync(file, 'utf8')).toBe('0\n2\n1 0\n5 10\n');
  });

  it('truncates from the start by moving the covering epoch up', () => {
    cache.assign(1, 0);
    cache.assign(2, 10);
    cache.assign(3, 20);
    cache.truncateFromStart(15);
    expect(cache.all).toEqual([
      { epoch: 2, startOffset: 15 },
      { epoch: 3, startOffset: 20 },
    ]);
  });

  it('reloads its checkpoint and reports an unreadable one', () => {
    cache.assign(7, 3);
    const other = new LeaderEpochCache(file, new LogDirIo(tmp.dir));
    expect(other.load()).toBe(true);
    expect(other.all).toEqual([{ epoch: 7, startOffset: 3 }]);
    fs.writeFileSync(file, '0\n5\n1 2\n');
    expect(other.load()).toBe(false);
    expect(other.all).toEqual([]);
  });

  it('answers the end offset of an epoch older than the first with the first start', () => {
    cache.assign(3, 5);
    expect(cache.endOffsetFor(1, 50)).toEqual({ epoch: 1, startOffset: -1, endOffset: 5 });
    expect(cache.endOffsetFor(-1, 50)).toMatchObject({ epoch: -1, endOffset: -1 });
  });
});
