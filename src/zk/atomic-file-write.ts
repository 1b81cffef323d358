// Replace a file so that a crash at any moment leaves either the old or the new content:
// write a sibling temp file, fsync it, rename it over the target, fsync the directory (so
// the rename itself survives power loss). A leftover temp file means a write died before
// its rename; readers ignore it and the next write truncates it.
import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';

export const TEMP_SUFFIX = '.tmp';

export async function writeFileAtomic(file: string, data: string | Buffer): Promise<void> {
  const temp = file + TEMP_SUFFIX;
  const handle = await fsp.open(temp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsp.rename(temp, file);
  const dir = await fsp.open(dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
