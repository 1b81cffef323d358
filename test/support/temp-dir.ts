// Temp dirs for tests: each one lives under the OS temp dir and is removed by cleanup(),
// or by removeAllTempDirs() in an afterAll, so a failing test does not leak data.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created = new Set<string>();

export interface TempDir {
  path: string;
  cleanup(): void;
}

export function makeTempDir(prefix = 'kafkanest-test-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  created.add(path);
  return {
    path,
    cleanup: () => {
      rmSync(path, { recursive: true, force: true });
      created.delete(path);
    },
  };
}

export function removeAllTempDirs(): void {
  for (const path of created) rmSync(path, { recursive: true, force: true });
  created.clear();
}

/**
 * Registers beforeEach/afterEach hooks in the calling describe block and returns a getter
 * for the current test's fresh dir.
 */
export function useTempDir(prefix?: string): () => string {
  let current: TempDir | undefined;
  beforeEach(() => {
    current = makeTempDir(prefix);
  });
  afterEach(() => {
    current?.cleanup();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('useTempDir(): the dir exists only inside a test');
    return current.path;
  };
}
