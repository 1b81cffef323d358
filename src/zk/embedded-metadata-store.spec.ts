import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEMP_SUFFIX, writeFileAtomic } from './atomic-file-write';
import { EMBEDDED_METADATA_FILE, EmbeddedMetadataStore } from './embedded-metadata-store';
import { describeMetadataStoreContract } from './metadata-store-contract.test-helpers';
import { MetadataStoreError, StoreClosedError } from './metadata-store.errors';

const quietLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kafkanest-embedded-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describeMetadataStoreContract('embedded', async () => {
  const dir = tempDir();
  return {
    open: () => EmbeddedMetadataStore.open({ dataDir: dir }),
    concurrentClients: false,
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('EmbeddedMetadataStore persistence', () => {
  it('keeps persistent nodes, versions and sequence counters across a reopen and drops ephemerals', async () => {
    const dir = tempDir();
    const first = await EmbeddedMetadataStore.open({ dataDir: dir });
    await first.create('/brokers/topics/t', { partitions: { '0': [0] } }, { createParents: true });
    await first.set('/brokers/topics/t', { partitions: { '0': [0, 1] } });
    await first.create('/brokers/ids/0', { host: 'h' }, { mode: 'ephemeral', createParents: true });
    await first.create('/seq/n-', 1, { mode: 'sequential', createParents: true });
    await first.close();

    const second = await EmbeddedMetadataStore.open({ dataDir: dir });
    expect(await second.get('/brokers/topics/t')).toEqual({ value: { partitions: { '0': [0, 1] } }, version: 1 });
    expect(await second.exists('/brokers/ids/0')).toBeNull();
    expect(await second.children('/brokers/ids')).toEqual([]);
    expect(await second.create('/seq/n-', 2, { mode: 'sequential' })).toBe('/seq/n-0000000001');
    await second.close();
  });

  it('resolves a write only once the file on disk holds it', async () => {
    const dir = tempDir();
    const store = await EmbeddedMetadataStore.open({ dataDir: dir });
    await store.create('/durable', { n: 1 });
    const onDisk = JSON.parse(readFileSync(join(dir, EMBEDDED_METADATA_FILE), 'utf8'));
    expect(onDisk.nodes['/durable']).toMatchObject({ data: '{"n":1}', version: 0 });
    await store.close();
  });

  it('coalesces the writes of one tick into a single file replacement', async () => {
    const dir = tempDir();
    const writes = jest.fn(writeFileAtomic);
    const store = await EmbeddedMetadataStore.open({ dataDir: dir, writeFile: writes });
    await store.create('/c', 0);
    writes.mockClear();
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.set('/c', i + 1)));
    expect(writes).toHaveBeenCalledTimes(1);
    expect(await store.get('/c')).toEqual({ value: 50, version: 50 });
    await store.close();
  });

  it('does not touch the file for ephemeral-only changes', async () => {
    const dir = tempDir();
    const writes = jest.fn(writeFileAtomic);
    const store = await EmbeddedMetadataStore.open({ dataDir: dir, writeFile: writes });
    await store.create('/e', 0);
    writes.mockClear();
    await store.create('/e/x', 1, { mode: 'ephemeral' });
    await store.set('/e/x', 2);
    expect(writes).not.toHaveBeenCalled();
    await store.close();
  });

  it('ignores and removes a temp file left by a write that died before its rename', async () => {
    const dir = tempDir();
    const store = await EmbeddedMetadataStore.open({ dataDir: dir });
    await store.create('/kept', 'old');
    await store.close();
    const temp = join(dir, EMBEDDED_METADATA_FILE + TEMP_SUFFIX);
    writeFileSync(temp, '{"format":1,"nodes":{"/kept":{"data":"\\"torn');

    const reopened = await EmbeddedMetadataStore.open({ dataDir: dir });
    expect(await reopened.get('/kept')).toEqual({ value: 'old', version: 0 });
    expect(existsSync(temp)).toBe(false);
    await reopened.close();
  });

  it('refuses to open a damaged file instead of starting empty', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, EMBEDDED_METADATA_FILE), '{"format":1,"nodes":{"/a/b":{"data":null,"version":0,"cversion":0}}}');
    await expect(EmbeddedMetadataStore.open({ dataDir: dir })).rejects.toThrow(/listed before its parent/);
    writeFileSync(join(dir, EMBEDDED_METADATA_FILE), 'not json');
    const err = await EmbeddedMetadataStore.open({ dataDir: dir }).catch((e) => e);
    expect(err).toBeInstanceOf(MetadataStoreError);
    expect(err.message).toMatch(/unreadable/);
  });

  it('stops accepting calls after a failed write, since memory and disk have diverged', async () => {
    const dir = tempDir();
    const writes = jest.fn(writeFileAtomic).mockRejectedValueOnce(new Error('ENOSPC: no space left on device'));
    const store = await EmbeddedMetadataStore.open({ dataDir: dir, writeFile: writes, logger: quietLogger });
    await expect(store.create('/x', 1)).rejects.toThrow(/ENOSPC/);
    await expect(store.get('/x')).rejects.toBeInstanceOf(StoreClosedError);
    await expect(store.set('/x', 2)).rejects.toBeInstanceOf(StoreClosedError);
  });

  it('delivers watch events asynchronously, never inside the call that caused them', async () => {
    const store = await EmbeddedMetadataStore.open();
    const seen: string[] = [];
    await store.watchData('/async', () => seen.push('event'));
    const pending = store.create('/async', 1);
    seen.push('called');
    await pending;
    seen.push('resolved');
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['called', 'resolved', 'event']);
    await store.close();
  });
});
