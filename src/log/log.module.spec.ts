import * as fs from 'node:fs';
import * as path from 'node:path';
import { Test } from '@nestjs/testing';
import { CLEAN_SHUTDOWN_FILE } from './log-file-names';
import { LogManager } from './log-manager';
import { LogModule } from './log.module';
import { CollectingLogger, makeBatch, makeTempDir } from './log.test-helpers';

describe('LogModule', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (tmp = makeTempDir()));
  afterEach(() => tmp.cleanup());

  it('forRoot provides a started LogManager and shuts it down cleanly with the app', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [LogModule.forRoot({ logDirs: [tmp.dir], logger: new CollectingLogger() })] }).compile();
    moduleRef.enableShutdownHooks();
    await moduleRef.init();
    const manager = moduleRef.get(LogManager);
    expect(manager.getOrCreateLog({ topic: 't', partition: 0 }).append(makeBatch(2)).lastOffset).toBe(1);
    await moduleRef.close();
    expect(fs.existsSync(path.join(tmp.dir, CLEAN_SHUTDOWN_FILE))).toBe(true);
  });

  it('forRootAsync builds the config from a factory', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [LogModule.forRootAsync({ useFactory: async () => ({ logDirs: [tmp.dir], segmentBytes: 1234, logger: new CollectingLogger() }) })],
    }).compile();
    await moduleRef.init();
    expect(moduleRef.get(LogManager).config).toMatchObject({ logDirs: [tmp.dir], segmentBytes: 1234, indexIntervalBytes: 4096 });
    await moduleRef.close();
  });
});
