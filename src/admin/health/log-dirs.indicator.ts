import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { open, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BrokerConfig } from '../../config/broker.config';
import { LogManager } from '../../log/log-manager';

/** Not a Kafka file name, so log loading never mistakes it for a partition or a checkpoint. */
const PROBE_FILE = '.kafkanest-health-probe';
const PROBE_TIMEOUT_MS = 5_000;

/**
 * Every log dir is writable: not marked offline by the log's I/O wrapper, and a small file
 * can be written, synced and removed there now (a read-only remount or a full disk shows
 * here before the next append fails).
 */
@Injectable()
export class LogDirsHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly config: BrokerConfig,
    private readonly logs: LogManager,
  ) {}

  check(): PromiseLike<HealthIndicatorResult<'logDirs'>> {
    return this.health
      .check('logDirs')
      .attempt(async () => {
        const offline = new Set(this.logs.offlineLogDirs.map((dir) => resolve(dir)));
        const results = await Promise.all(this.config.logDirs.map(async (dir) => [dir, offline.has(resolve(dir)) ? 'offline' : await probe(dir)] as const));
        const failed = results.filter(([, outcome]) => outcome !== 'writable');
        if (failed.length > 0) throw new Error(failed.map(([dir, outcome]) => `${dir}: ${outcome}`).join('; '));
        return { dirs: Object.fromEntries(results) };
      })
      .withTimeout(PROBE_TIMEOUT_MS);
  }
}

async function probe(dir: string): Promise<string> {
  const path = join(dir, PROBE_FILE);
  try {
    const file = await open(path, 'w');
    try {
      await file.writeFile('ok');
      await file.sync();
    } finally {
      await file.close();
    }
    await rm(path, { force: true });
    return 'writable';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
