import * as path from 'node:path';
import { resolveLogConfig } from '../../log/log-config';
import { LogManager } from '../../log/log-manager';
import { CollectingLogger, makeBatch, makeTempDir } from '../../log/log.test-helpers';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { DescribeLogDirsHandler } from './35-describe-log-dirs.handler';

describe('DescribeLogDirsHandler', () => {
  let temps: ReturnType<typeof makeTempDir>[];
  let dirs: string[];
  let logs: LogManager;
  let handler: DescribeLogDirsHandler;

  beforeEach(() => {
    temps = [makeTempDir(), makeTempDir()];
    dirs = temps.map((t) => path.resolve(t.dir));
    logs = new LogManager(resolveLogConfig({ logDirs: dirs, fileDeleteDelayMs: 0 }), { logger: new CollectingLogger() });
    logs.startup();
    // Placement alternates between the two dirs: a-0 and b-0 in the first, a-1 in the second.
    logs.getOrCreateLog({ topic: 'a', partition: 0 }).append(makeBatch(3));
    logs.getOrCreateLog({ topic: 'a', partition: 1 });
    logs.getOrCreateLog({ topic: 'b', partition: 0 }).append(makeBatch(1));
    handler = new DescribeLogDirsHandler(logs);
  });

  afterEach(async () => {
    await logs.shutdown();
    for (const t of temps) t.cleanup();
  });

  it('lists every log dir with the replicas it holds, their sizes on disk and the volume space', () => {
    const response = handler.handle({ topics: null });
    expect(response.errorCode).toBe(ErrorCode.NONE);
    const [first, second] = response.results;
    expect(first).toMatchObject({ errorCode: ErrorCode.NONE, logDir: dirs[0] });
    expect(second).toMatchObject({ errorCode: ErrorCode.NONE, logDir: dirs[1] });
    expect(first.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)])).toEqual([
      ['a', [0]],
      ['b', [0]],
    ]);
    expect(first.topics[0].partitions[0]).toEqual({ partitionIndex: 0, partitionSize: logs.getLog({ topic: 'a', partition: 0 })!.size, offsetLag: 0, isFutureKey: false });
    expect(first.topics[0].partitions[0].partitionSize).toBeGreaterThan(0);
    expect(second.topics).toEqual([{ name: 'a', partitions: [{ partitionIndex: 1, partitionSize: 0, offsetLag: 0, isFutureKey: false }] }]);
    expect(first.totalBytes).toBeGreaterThan(0);
    expect(first.usableBytes).toBeGreaterThanOrEqual(0);
  });

  it('describes only the partitions asked for, and still lists the dirs that hold none of them', () => {
    const response = handler.handle({ topics: [{ topic: 'a', partitions: [1] }] });
    expect(response.results.map((r) => [r.logDir, r.topics])).toEqual([
      [dirs[0], []],
      [dirs[1], [{ name: 'a', partitions: [expect.objectContaining({ partitionIndex: 1 })] }]],
    ]);
  });
});
