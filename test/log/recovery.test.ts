import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LogConfig, resolveLogConfig } from '../../src/log/log-config';
import { CLEAN_SHUTDOWN_FILE, logFile, offsetIndexFile } from '../../src/log/log-file-names';
import { LogManager } from '../../src/log/log-manager';
import { BatchInfo, CollectingLogger, batchesIn, makeBatch, readAll } from '../../src/log/log.test-helpers';
import { useTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

const tp = { topic: 'crash', partition: 0 };
const repoRoot = path.resolve(__dirname, '..', '..');

describe('log recovery after an unclean stop', () => {
  const tempDir = useTempDir('kafkanest-recovery-');
  const managers: LogManager[] = [];

  function startManager(extra: Partial<LogConfig> = {}): { manager: LogManager; logger: CollectingLogger } {
    const logger = new CollectingLogger();
    const manager = new LogManager(resolveLogConfig({ logDirs: [tempDir()], segmentBytes: 16 * 1024, indexIntervalBytes: 256, ...extra }), { logger });
    manager.startup();
    managers.push(manager);
    return { manager, logger };
  }

  /** Writes `n` batches and stops without a clean shutdown (indexes written, no fsync, no checkpoint, no marker). */
  function writeAndCrash(n: number): BatchInfo[] {
    const { manager } = startManager();
    const log = manager.getOrCreateLog(tp);
    for (let i = 0; i < n; i++) log.append(makeBatch(1 + (i % 4), { valueBytes: 100 + (i % 50) }));
    const written = readAll(log);
    log.closeWithoutFlush();
    managers.splice(managers.indexOf(manager), 1);
    return written;
  }

  const lastSegment = (dir: string): string => {
    const logs = fs.readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
    return path.join(dir, logs[logs.length - 1]);
  };

  afterEach(async () => {
    for (const m of managers.splice(0)) await m.shutdown();
  });

  it('keeps every batch a SIGKILLed writer reported as appended', async () => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, 'log-writer.child.ts'), tempDir()], {
      cwd: repoRoot,
      env: { ...process.env, SWC_NODE_PROJECT: path.join(repoRoot, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await waitFor(() => out.split('\n').length > 3000 || child.exitCode !== null, { timeoutMs: 60_000, what: 'the writer to append 3000 batches' });
    child.kill('SIGKILL');
    expect([await exited, err]).toEqual(['SIGKILL', '']);

    const reported = out
      .split('\n')
      .filter((line) => /^\d+ \d+$/.test(line))
      .map((line) => line.split(' ').map(Number));
    const { manager, logger } = startManager({ segmentBytes: 64 * 1024, indexIntervalBytes: 512 });
    const log = manager.getLog(tp)!;
    expect(log.segmentCount).toBeGreaterThan(3);
    const recovered = readAll(log);
    expect(recovered.every((b) => b.valid)).toBe(true);
    const [, lastReported] = reported[reported.length - 1];
    expect(log.logEndOffset).toBeGreaterThanOrEqual(lastReported + 1);
    expect(recovered.slice(0, reported.length).map((b) => [b.baseOffset, b.lastOffset])).toEqual(reported);
    for (let i = 1; i < recovered.length; i++) expect(recovered[i].baseOffset).toBe(recovered[i - 1].lastOffset + 1);
    expect(logger.lines.filter((l) => l.startsWith('error'))).toEqual([]);
    // The log takes appends again where it ended.
    expect(log.append(makeBatch(1)).baseOffset).toBe(log.logEndOffset - 1);
  });

  it('cuts a batch torn in the middle and logs the bytes cut', () => {
    const written = writeAndCrash(300);
    const file = lastSegment(path.join(tempDir(), 'crash-0'));
    const size = fs.statSync(file).size;
    fs.truncateSync(file, size - 10);
    const { manager, logger } = startManager();
    const log = manager.getLog(tp)!;
    const last = written[written.length - 1];
    expect(readAll(log)).toEqual(written.slice(0, -1));
    expect(log.logEndOffset).toBe(last.baseOffset);
    expect(logger.lines).toContainEqual(expect.stringContaining(`${file}: recovery cut ${last.size - 10} bytes at position ${size - last.size}`));
    expect(fs.statSync(file).size).toBe(size - last.size);
  });

  it('cuts garbage appended after the last batch and loses nothing before it', () => {
    const written = writeAndCrash(300);
    const file = lastSegment(path.join(tempDir(), 'crash-0'));
    const size = fs.statSync(file).size;
    fs.appendFileSync(file, Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 37) % 251)));
    const { manager, logger } = startManager();
    expect(readAll(manager.getLog(tp)!)).toEqual(written);
    expect(logger.lines).toContainEqual(expect.stringContaining(`${file}: recovery cut 1000 bytes at position ${size}`));
  });

  it('cuts at a batch whose CRC fails in the middle of the last segment and rebuilds its index', () => {
    const written = writeAndCrash(300);
    const dir = path.join(tempDir(), 'crash-0');
    const file = lastSegment(dir);
    const base = Number(path.basename(file, '.log'));
    const inSegment = written.filter((b) => b.baseOffset >= base);
    const victim = inSegment[Math.floor(inSegment.length / 2)];
    const position = inSegment.slice(0, inSegment.indexOf(victim)).reduce((sum, b) => sum + b.size, 0);
    const bytes = fs.readFileSync(file);
    bytes[position + 70] ^= 0xff;
    fs.writeFileSync(file, bytes);
    const { manager, logger } = startManager();
    const log = manager.getLog(tp)!;
    expect(readAll(log)).toEqual(written.filter((b) => b.baseOffset < victim.baseOffset));
    expect(log.logEndOffset).toBe(victim.baseOffset);
    expect(logger.lines).toContainEqual(expect.stringMatching(new RegExp(`recovery cut ${bytes.length - position} bytes at position ${position} \\(.*crc`, 'i')));
    const index = fs.readFileSync(offsetIndexFile(dir, base));
    for (let i = 0; i < index.length; i += 8) expect(index.readUInt32BE(i + 4)).toBeLessThan(position);
  });

  it('deletes the segments after a damaged one, which follow bad data', () => {
    const written = writeAndCrash(300);
    const dir = path.join(tempDir(), 'crash-0');
    const segments = fs.readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
    expect(segments.length).toBeGreaterThan(3);
    const damaged = path.join(dir, segments[1]);
    const [first, second] = written.filter((b) => b.baseOffset >= Number(segments[1].slice(0, 20)));
    const bytes = fs.readFileSync(damaged);
    bytes[first.size + 100] ^= 0x01;
    fs.writeFileSync(damaged, bytes);
    const { manager, logger } = startManager();
    const log = manager.getLog(tp)!;
    expect(readAll(log)).toEqual(written.filter((b) => b.baseOffset < second.baseOffset));
    expect(log.segmentCount).toBe(2);
    expect(logger.lines.filter((l) => l.includes('follows damaged data'))).toHaveLength(segments.length - 2);
  });

  it('rebuilds an index that does not match its segment even after a clean shutdown', async () => {
    const { manager } = startManager();
    const log = manager.getOrCreateLog(tp);
    for (let i = 0; i < 200; i++) log.append(makeBatch(2, { valueBytes: 120 }));
    const before = readAll(log);
    await manager.shutdown();
    managers.splice(managers.indexOf(manager), 1);
    const dir = path.join(tempDir(), 'crash-0');
    expect(fs.existsSync(path.join(tempDir(), CLEAN_SHUTDOWN_FILE))).toBe(true);
    const original = fs.readFileSync(offsetIndexFile(dir, 0));
    // Entries that point into the middle of batches: plausible-looking but wrong.
    const wrong = Buffer.from(original);
    for (let i = 0; i < wrong.length; i += 8) wrong.writeUInt32BE(wrong.readUInt32BE(i + 4) + 3, i + 4);
    fs.writeFileSync(offsetIndexFile(dir, 0), wrong);
    const { manager: again, logger } = startManager();
    const reloaded = again.getLog(tp)!;
    expect(logger.lines).toContainEqual(expect.stringContaining(`${offsetIndexFile(dir, 0)}: index did not match its log`));
    expect(fs.readFileSync(offsetIndexFile(dir, 0)).equals(original)).toBe(true);
    expect(readAll(reloaded)).toEqual(before);
    for (const b of before) expect(batchesIn(reloaded.read(b.lastOffset, 1).records)[0].baseOffset).toBe(b.baseOffset);
    expect(fs.existsSync(logFile(dir, 0))).toBe(true);
  });
});
