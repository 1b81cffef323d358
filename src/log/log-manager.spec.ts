import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveLogConfig } from './log-config';
import { CLEAN_SHUTDOWN_FILE, LOG_START_OFFSET_CHECKPOINT_FILE, RECOVERY_POINT_CHECKPOINT_FILE, REPLICATION_OFFSET_CHECKPOINT_FILE } from './log-file-names';
import { LogManager } from './log-manager';
import { CollectingLogger, makeBatch, makeTempDir, readAll } from './log.test-helpers';

describe('LogManager', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let dirs: string[];
  const managers: LogManager[] = [];
  const start = (logDirs = dirs, extra: Parameters<typeof resolveLogConfig>[0] extends infer T ? Partial<T> : never = {}): LogManager => {
    const manager = new LogManager(resolveLogConfig({ logDirs, fileDeleteDelayMs: 0, ...extra }), { logger: new CollectingLogger() });
    manager.startup();
    managers.push(manager);
    return manager;
  };
  beforeEach(() => {
    tmp = makeTempDir();
    dirs = ['a', 'b', 'c'].map((d) => path.join(tmp.dir, d));
  });
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.shutdown();
    tmp.cleanup();
  });

  it('places each new partition in the log dir holding the fewest partitions, the first on ties', () => {
    const manager = start();
    const placed = [0, 1, 2, 3].map((p) => manager.logDirOf(manager.getOrCreateLog({ topic: 't', partition: p }).tp));
    expect(placed).toEqual([dirs[0], dirs[1], dirs[2], dirs[0]]);
    manager.getOrCreateLog({ topic: 'u', partition: 0 });
    manager.getOrCreateLog({ topic: 'u', partition: 1 });
    expect(manager.logDirOf({ topic: 'u', partition: 1 })).toBe(dirs[2]);
    expect(fs.existsSync(path.join(dirs[0], 't-0', '00000000000000000000.log'))).toBe(true);
  });

  it('reloads every partition dir after a clean shutdown, with checkpoints and the clean-shutdown marker', async () => {
    const manager = start();
    const a = manager.getOrCreateLog({ topic: 'orders', partition: 0 });
    const b = manager.getOrCreateLog({ topic: 'my-topic.v2', partition: 11 });
    a.append(makeBatch(3));
    b.append(makeBatch(2));
    b.append(makeBatch(2));
    a.highWatermark = 2;
    b.highWatermark = 4;
    await manager.shutdown();
    expect(fs.existsSync(path.join(dirs[0], CLEAN_SHUTDOWN_FILE))).toBe(true);
    expect(fs.readFileSync(path.join(dirs[0], RECOVERY_POINT_CHECKPOINT_FILE), 'utf8')).toBe('0\n1\norders 0 3\n');
    expect(fs.readFileSync(path.join(dirs[1], REPLICATION_OFFSET_CHECKPOINT_FILE), 'utf8')).toBe('0\n1\nmy-topic.v2 11 4\n');
    expect(fs.readFileSync(path.join(dirs[1], LOG_START_OFFSET_CHECKPOINT_FILE), 'utf8')).toBe('0\n1\nmy-topic.v2 11 0\n');

    const again = start();
    expect(fs.existsSync(path.join(dirs[0], CLEAN_SHUTDOWN_FILE))).toBe(false);
    const a2 = again.getLog({ topic: 'orders', partition: 0 })!;
    const b2 = again.getLog({ topic: 'my-topic.v2', partition: 11 })!;
    expect([a2.logEndOffset, a2.highWatermark, b2.logEndOffset, b2.highWatermark]).toEqual([3, 2, 4, 4]);
    expect(readAll(b2).map((x) => x.baseOffset)).toEqual([0, 2]);
    expect(again.allLogs).toHaveLength(2);
  });

  it('keeps a deleteRecords log start offset across restarts', async () => {
    const manager = start([dirs[0]]);
    const log = manager.getOrCreateLog({ topic: 't', partition: 0 });
    for (let i = 0; i < 5; i++) log.append(makeBatch(1));
    log.highWatermark = 5;
    log.deleteRecordsBefore(3);
    expect(fs.readFileSync(path.join(dirs[0], LOG_START_OFFSET_CHECKPOINT_FILE), 'utf8')).toBe('0\n1\nt 0 3\n');
    await manager.shutdown();
    expect(start([dirs[0]]).getLog({ topic: 't', partition: 0 })!.logStartOffset).toBe(3);
  });

  it('deletes a topic by renaming its dirs to {topic}-{p}.{uuid}-delete and removing them in the background', async () => {
    const manager = start([dirs[0]]);
    manager.getOrCreateLog({ topic: 'gone', partition: 0 }).append(makeBatch(1));
    manager.getOrCreateLog({ topic: 'gone', partition: 1 });
    manager.getOrCreateLog({ topic: 'kept', partition: 0 });
    expect(manager.deleteTopic('gone')).toBe(2);
    expect(manager.getLog({ topic: 'gone', partition: 0 })).toBeUndefined();
    const names = fs.readdirSync(dirs[0]);
    expect(names.filter((n) => n.startsWith('gone-'))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^gone-0\.[0-9a-f]{32}-delete$/), expect.stringMatching(/^gone-1\.[0-9a-f]{32}-delete$/)]),
    );
    expect(fs.readFileSync(path.join(dirs[0], RECOVERY_POINT_CHECKPOINT_FILE), 'utf8')).toBe('0\n1\nkept 0 0\n');
    await manager.awaitRemovals();
    expect(fs.readdirSync(dirs[0]).filter((n) => n.startsWith('gone-'))).toEqual([]);
  });

  it('removes leftover -delete dirs at start-up and ignores them as partitions', async () => {
    fs.mkdirSync(path.join(dirs[0], 'old-0.0123456789abcdef0123456789abcdef-delete'), { recursive: true });
    const manager = start([dirs[0]]);
    expect(manager.allLogs).toHaveLength(0);
    await manager.awaitRemovals();
    expect(fs.readdirSync(dirs[0]).filter((n) => n.endsWith('-delete'))).toEqual([]);
  });

  it('runs retention over every log with the topic overrides', () => {
    let now = 10_000_000;
    const manager = new LogManager(resolveLogConfig({ logDirs: [dirs[0]], fileDeleteDelayMs: 0 }), { now: () => now, logger: new CollectingLogger() });
    managers.push(manager);
    manager.startup();
    const log = manager.getOrCreateLog({ topic: 'short', partition: 0 }, { segmentBytes: 300, retentionMs: 1000 });
    const keep = manager.getOrCreateLog({ topic: 'long', partition: 0 }, { segmentBytes: 300 });
    for (let i = 0; i < 4; i++) {
      log.append(makeBatch(1, { valueBytes: 150, timestamp: now }));
      keep.append(makeBatch(1, { valueBytes: 150, timestamp: now }));
    }
    log.highWatermark = 4;
    keep.highWatermark = 4;
    now += 5000;
    expect(manager.enforceRetention()).toBe(3);
    expect([log.segmentCount, keep.segmentCount]).toEqual([1, 4]);
    manager.updateTopicConfig('long', { retentionMs: 1000 });
    expect(manager.enforceRetention()).toBe(3);
  });

  it('refuses to load one partition found in two log dirs', () => {
    fs.mkdirSync(path.join(dirs[0], 't-0'), { recursive: true });
    fs.mkdirSync(path.join(dirs[1], 't-0'), { recursive: true });
    expect(() => start()).toThrow(/exists in two log dirs/);
  });
});
