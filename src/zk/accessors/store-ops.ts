import type { CreateOptions, JsonValue, MetadataStore } from '../metadata-store';
import { NodeExistsError, NoNodeError } from '../metadata-store.errors';

/** Creates the node unless it exists; true when this call created it. */
export async function createIfAbsent(store: MetadataStore, path: string, value: JsonValue, options: CreateOptions = {}): Promise<boolean> {
  try {
    await store.create(path, value, { createParents: true, ...options });
    return true;
  } catch (err) {
    if (err instanceof NodeExistsError) return false;
    throw err;
  }
}

/** Writes the value whether or not the node exists yet (set, else create). */
export async function upsert(store: MetadataStore, path: string, value: JsonValue, options: CreateOptions = {}): Promise<void> {
  try {
    await store.set(path, value);
  } catch (err) {
    if (!(err instanceof NoNodeError)) throw err;
    if (!(await createIfAbsent(store, path, value, options))) await store.set(path, value);
  }
}

/** Deletes the node (recursively) if it exists. */
export async function deleteIfPresent(store: MetadataStore, path: string): Promise<void> {
  try {
    await store.delete(path, undefined, { recursive: true });
  } catch (err) {
    if (!(err instanceof NoNodeError)) throw err;
  }
}

/** Children of a node, [] when it does not exist. */
export async function childrenOrEmpty(store: MetadataStore, path: string): Promise<string[]> {
  try {
    return await store.children(path);
  } catch (err) {
    if (err instanceof NoNodeError) return [];
    throw err;
  }
}

/** Creates Kafka's persistent top-level paths that are missing (idempotent, any broker may run it). */
export async function ensurePaths(store: MetadataStore, paths: readonly string[]): Promise<void> {
  for (const path of paths) await createIfAbsent(store, path, null);
}
