// Child process for recovery.test.ts: appends batches to one partition as fast as it can
// and prints "<baseOffset> <lastOffset>" after each append has returned, until killed.
// The parent kills it with SIGKILL, so nothing here ever shuts down cleanly.
import * as fs from 'node:fs';
import { encodeRecordBatch } from '../../src/protocol/record-batch/record-batch-encoder';
import { resolveLogConfig } from '../../src/log/log-config';
import { LogManager } from '../../src/log/log-manager';

const logDir = process.argv[2];
const manager = new LogManager(resolveLogConfig({ logDirs: [logDir], segmentBytes: 64 * 1024, indexIntervalBytes: 512 }), {
  logger: { log: () => undefined, warn: () => undefined, error: (m) => process.stderr.write(`${m}\n`) },
});
manager.startup();
const log = manager.getOrCreateLog({ topic: 'crash', partition: 0 });

let n = 0;
function burst(): void {
  for (let i = 0; i < 50; i++, n++) {
    const count = 1 + (n % 7);
    const records = Array.from({ length: count }, (_, r) => ({ value: Buffer.from(`record ${n}.${r} `.padEnd(40 + (n % 300), '.')), timestamp: Date.now() }));
    const { baseOffset, lastOffset } = log.append(encodeRecordBatch(records), 1);
    fs.writeSync(1, `${baseOffset} ${lastOffset}\n`);
  }
  setImmediate(burst);
}
burst();
