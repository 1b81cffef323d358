import { KafkaStorageError } from './log-errors';

/**
 * The one wrapper every file operation of a log dir goes through (Kafka's
 * LogDirFailureChannel). A failed read, write, fsync or rename marks the whole dir
 * offline and surfaces as KafkaStorageError (KAFKA_STORAGE_ERROR, 56) to the caller;
 * after that every operation on the dir fails fast with the same error instead of
 * touching a disk that is known bad. The broker keeps running and serves the
 * partitions of its other dirs.
 */
export class LogDirIo {
  private failure: { op: string; error: unknown } | undefined;
  private readonly listeners: Array<(dir: string, error: unknown) => void> = [];

  constructor(readonly logDir: string) {}

  get offline(): boolean {
    return this.failure !== undefined;
  }

  onOffline(listener: (dir: string, error: unknown) => void): void {
    this.listeners.push(listener);
  }

  /** Runs a synchronous file operation; `op` names it (with the file) for the error message. */
  run<T>(op: string, fn: () => T): T {
    this.ensureOnline();
    try {
      return fn();
    } catch (error) {
      throw this.fail(op, error);
    }
  }

  async runAsync<T>(op: string, fn: () => Promise<T>): Promise<T> {
    this.ensureOnline();
    try {
      return await fn();
    } catch (error) {
      throw this.fail(op, error);
    }
  }

  ensureOnline(): void {
    if (this.failure) {
      throw new KafkaStorageError(`log dir ${this.logDir} is offline after failing to ${this.failure.op}`, this.logDir, this.failure.error);
    }
  }

  private fail(op: string, error: unknown): KafkaStorageError {
    if (error instanceof KafkaStorageError) return error;
    const first = !this.failure;
    if (first) this.failure = { op, error };
    if (first) for (const listener of this.listeners) listener(this.logDir, error);
    const detail = error instanceof Error ? error.message : String(error);
    return new KafkaStorageError(`log dir ${this.logDir} is offline: failed to ${op}: ${detail}`, this.logDir, error);
  }
}
