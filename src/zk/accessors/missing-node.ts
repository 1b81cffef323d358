// Accessors treat "already gone" as done for deletes and as "empty" for listings.
import { NoNodeError } from '../metadata-store.errors';

export function isNoNode(err: unknown): boolean {
  return err instanceof NoNodeError;
}

export function ignoreNoNode(err: unknown): void {
  if (!isNoNode(err)) throw err;
}
