// The built broker (dist/cli/main.js, exactly what `npm start` runs) as a child process,
// for suites and benchmarks that talk to it over real sockets. Listeners and the admin
// server bind port 0; the real ports are read from the two lines the broker prints once
// it serves. The work dir (config file + log dir) survives stop() unless asked, so a
// restart() reopens the same log and metadata on the same Kafka port.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BROKER_MAIN = resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js');

const BROKER_LINE = /^kafkanest broker (\d+) listening on PLAINTEXT:\/\/([^:\s]+):(\d+)$/m;
const ADMIN_LINE = /^kafkanest admin listening on (http:\/\/\S+)$/m;
/** Output kept for failure messages; older output is dropped. */
const OUTPUT_LIMIT = 64 * 1024;

export interface BrokerProcessOptions {
  /** `--set key=value` pairs, applied after the defaults below (so they can override them). */
  settings?: Record<string, string | number | boolean>;
  /** How long to wait for the listening lines. */
  startTimeoutMs?: number;
  /** Extra environment; the child otherwise gets only PATH (no stray LOG_DIRS from the host). */
  env?: NodeJS.ProcessEnv;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class BrokerProcess {
  readonly workDir: string;
  readonly logDir: string;
  private child: ChildProcessWithoutNullStreams | undefined;
  private exitPromise: Promise<ExitStatus> = Promise.resolve({ code: null, signal: null });
  private out = '';
  private err = '';
  private kafkaPort = 0;
  private admin = '';
  private id = -1;
  private removed = false;

  private constructor(private readonly options: BrokerProcessOptions) {
    this.workDir = mkdtempSync(join(tmpdir(), 'kafkanest-broker-'));
    this.logDir = join(this.workDir, 'logs');
    // An explicit config file, so the repository's application.yml never leaks in.
    writeFileSync(join(this.workDir, 'application.yml'), '# written by test/support/broker-process.ts\n');
    live.add(this);
  }

  /** Starts a broker on free ports with a fresh log dir; resolves once it serves. */
  static async start(options: BrokerProcessOptions = {}): Promise<BrokerProcess> {
    const broker = new BrokerProcess(options);
    try {
      await broker.launch(0);
    } catch (err) {
      await broker.kill().catch(() => undefined);
      broker.removeDir();
      throw err;
    }
    return broker;
  }

  /** host:port for clients' bootstrap lists. */
  get bootstrap(): string {
    return `127.0.0.1:${this.kafkaPort}`;
  }

  get port(): number {
    return this.kafkaPort;
  }

  get adminUrl(): string {
    return this.admin;
  }

  get brokerId(): number {
    return this.id;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Settles when the current child exits (immediately when none runs). */
  get exited(): Promise<ExitStatus> {
    return this.exitPromise;
  }

  get stdout(): string {
    return this.out;
  }

  get stderr(): string {
    return this.err;
  }

  isAlive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM (graceful shutdown: in-flight requests finish, logs flush), then waits for the exit. */
  async stop({ removeDir = false, timeoutMs = 20_000 }: { removeDir?: boolean; timeoutMs?: number } = {}): Promise<ExitStatus> {
    const status = await this.signal('SIGTERM', timeoutMs);
    if (removeDir) this.removeDir();
    return status;
  }

  /** SIGKILL: an unclean stop, as a crash or power loss leaves the log dir. */
  async kill(): Promise<ExitStatus> {
    return this.signal('SIGKILL', 10_000);
  }

  /** Graceful stop, then a new process on the same log dir and the same Kafka port. */
  async restart(): Promise<void> {
    if (this.isAlive()) await this.stop();
    await this.launch(this.kafkaPort);
  }

  /** Stops (SIGKILL if still running) and removes the work dir; safe to call twice. */
  async dispose(): Promise<void> {
    if (this.isAlive()) await this.stop().catch(() => this.kill());
    this.removeDir();
  }

  private removeDir(): void {
    if (this.removed) return;
    rmSync(this.workDir, { recursive: true, force: true });
    this.removed = true;
    live.delete(this);
  }

  private async signal(signal: NodeJS.Signals, timeoutMs: number): Promise<ExitStatus> {
    const child = this.child;
    if (!child || !this.isAlive()) return this.exitPromise;
    child.kill(signal);
    return withDeadline(this.exitPromise, timeoutMs, () => `broker pid ${child.pid} did not exit within ${timeoutMs} ms of ${signal}${this.outputTail()}`);
  }

  private async launch(kafkaPort: number): Promise<void> {
    const settings: Record<string, string | number | boolean> = {
      listeners: `PLAINTEXT://127.0.0.1:${kafkaPort}`,
      'server.port': 0,
      'server.address': '127.0.0.1',
      'log.dirs': this.logDir,
      ...this.options.settings,
    };
    const args = [BROKER_MAIN, 'start', '--config', join(this.workDir, 'application.yml')];
    for (const [key, value] of Object.entries(settings)) args.push('--set', `${key}=${String(value)}`);
    this.out = '';
    this.err = '';
    const child = spawn(process.execPath, args, { cwd: this.workDir, env: { PATH: process.env.PATH, ...this.options.env } });
    this.child = child;
    this.exitPromise = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (this.out = keepTail(this.out + chunk)));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.err = keepTail(this.err + chunk)));

    const timeoutMs = this.options.startTimeoutMs ?? 30_000;
    const listening = new Promise<void>((resolve, reject) => {
      const check = (): void => {
        const broker = BROKER_LINE.exec(this.out);
        const admin = ADMIN_LINE.exec(this.out);
        if (!broker || !admin) return;
        child.stdout.off('data', check);
        this.id = Number(broker[1]);
        this.kafkaPort = Number(broker[3]);
        this.admin = admin[1];
        resolve();
      };
      child.stdout.on('data', check);
      void this.exitPromise.then(({ code, signal }) => reject(new Error(`broker exited (${code ?? signal}) before listening${this.outputTail()}`)));
    });
    await withDeadline(listening, timeoutMs, () => `broker did not print its listening lines within ${timeoutMs} ms${this.outputTail()}`);
  }

  private outputTail(): string {
    const tail = (text: string) => text.slice(-4000);
    return `\n--- stdout ---\n${tail(this.out)}\n--- stderr ---\n${tail(this.err)}`;
  }
}

function keepTail(text: string): string {
  return text.length > OUTPUT_LIMIT ? text.slice(-OUTPUT_LIMIT) : text;
}

function withDeadline<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

// A suite that dies before its afterAll must not leave brokers running behind the test run.
const live = new Set<BrokerProcess>();
process.once('exit', () => {
  for (const broker of live) {
    if (broker.isAlive()) process.kill(broker.pid!, 'SIGKILL');
    rmSync(broker.workDir, { recursive: true, force: true });
  }
});
