// Path rules shared by both stores, ZooKeeper's: absolute, '/'-separated, no empty, '.' or
// '..' segments, no trailing slash, no NUL. Checked before any I/O so both stores reject the
// same inputs with the same error.
import { BadArgumentsError, MalformedDataError } from './metadata-store.errors';
import type { JsonValue } from './metadata-store';

/** ZooKeeper's default jute.maxbuffer: a larger znode is refused by the server. */
export const MAX_NODE_BYTES = 1024 * 1024 - 1;

export function validatePath(path: string, { allowRoot = true } = {}): void {
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new BadArgumentsError(`path must be absolute: ${JSON.stringify(path)}`, path);
  }
  if (path === '/') {
    if (!allowRoot) throw new BadArgumentsError('operation not allowed on /', path);
    return;
  }
  if (path.endsWith('/')) throw new BadArgumentsError(`path must not end with '/': ${path}`, path);
  for (const segment of path.slice(1).split('/')) {
    if (segment === '' || segment === '.' || segment === '..' || segment.includes('\u0000')) {
      throw new BadArgumentsError(`invalid path segment in ${JSON.stringify(path)}`, path);
    }
  }
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function childPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}

/** Ancestors from the top down, without "/" and without the path itself (so the parent is last). */
export function ancestorsOf(path: string): string[] {
  const out: string[] = [];
  for (let i = path.indexOf('/', 1); i > 0; i = path.indexOf('/', i + 1)) out.push(path.slice(0, i));
  return out;
}

/** ZooKeeper's sequential suffix: the counter as 10 zero-padded digits. */
export function sequenceSuffix(counter: number): string {
  return String(counter).padStart(10, '0');
}

export function encodeJson(path: string, value: JsonValue): Buffer {
  if (value === undefined) throw new BadArgumentsError(`value for ${path} is undefined (use null)`, path);
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new BadArgumentsError(`value for ${path} is not serialisable as JSON: ${(err as Error).message}`, path);
  }
  if (text === undefined) throw new BadArgumentsError(`value for ${path} is not serialisable as JSON`, path);
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > MAX_NODE_BYTES) {
    throw new BadArgumentsError(`value for ${path} is ${bytes.length} bytes; the limit is ${MAX_NODE_BYTES}`, path);
  }
  return bytes;
}

/** Empty data (how ZooKeeper tools create plain directories) reads as null. */
export function decodeJson<T>(path: string, bytes: Buffer | string | null | undefined): T {
  if (bytes === null || bytes === undefined || bytes.length === 0) return null as T;
  const text = typeof bytes === 'string' ? bytes : bytes.toString('utf8');
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new MalformedDataError(path, (err as Error).message);
  }
}
