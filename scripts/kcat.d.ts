// Types for scripts/kcat.js.
export interface KcatResult {
  code: number | null;
  signal: string | null;
  stdout: Buffer;
  stderr: string;
}

export function ensureKcatInstalled(): string;
export function runKcat(args: string[], options?: { input?: string | Buffer; timeoutMs?: number; env?: Record<string, string> }): Promise<KcatResult>;
