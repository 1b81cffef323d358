// Types for scripts/zookeeper.js (plain CommonJS so Jest global setup, .ci and npm scripts share it).
export interface StartZooKeeperOptions {
  /** Fixed client port; by default a free loopback port is picked. */
  port?: number;
  host?: string;
  /** Kept on stop(); by default a temp dir removed on stop(). */
  dataDir?: string;
  tickTimeMs?: number;
  startTimeoutMs?: number;
}

export interface ZooKeeperServerHandle {
  host: string;
  port: number;
  connectString: string;
  dataDir: string;
  logFile: string;
  pid: number;
  stop(): Promise<void>;
  exited: Promise<{ code: number | null; signal: string | null }>;
}

export function ensureZooKeeperInstalled(): { jar: string; java: string };
export function startZooKeeper(options?: StartZooKeeperOptions): Promise<ZooKeeperServerHandle>;
export function fourLetterWord(host: string, port: number, word: string, timeoutMs?: number): Promise<string>;
export function freePort(host?: string): Promise<number>;
