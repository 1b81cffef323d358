// The built `kafkanest` bin (dist/cli/main.js) run as a user runs it: arguments, stdin,
// exit code, stdout and stderr. Every run has a deadline so a hung tool fails its test
// with what it printed instead of stalling the suite.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { BROKER_MAIN } from './broker-process';

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Output so far. */
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Settles with the result once the process exits; rejects after the deadline (the process is killed). */
  readonly done: Promise<CliResult>;
}

const running = new Set<ChildProcessWithoutNullStreams>();

/** Kills every run still going (for afterAll/afterEach), so a failed test leaves no process behind. */
export function killRunningClis(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** Starts `kafkanest ...args`; stdin stays open unless `input` is given (then it is written and closed). */
export function spawnCli(args: readonly string[], { input, timeoutMs = 30_000, cwd }: { input?: string | Buffer; timeoutMs?: number; cwd?: string } = {}): CliProcess {
  const child = spawn(process.execPath, [BROKER_MAIN, ...args], { env: { PATH: process.env.PATH }, cwd });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  if (input !== undefined) child.stdin.end(input);
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kafkanest ${args.join(' ')} did not exit within ${timeoutMs} ms; stdout: ${out} stderr: ${err}`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      // 'exit' may come before the pipes are drained; 'close' follows once they are.
      child.on('close', () => resolve({ code, signal, stdout: out, stderr: err }));
      if (child.stdout.closed && child.stderr.closed) resolve({ code, signal, stdout: out, stderr: err });
    });
  });
  // A test that failed before awaiting `done` must not also crash the run with an unhandled rejection.
  done.catch(() => undefined);
  return { child, stdout: () => out, stderr: () => err, done };
}

/** Runs `kafkanest ...args` to its end. */
export function runCli(args: readonly string[], options: { input?: string | Buffer; timeoutMs?: number; cwd?: string } = {}): Promise<CliResult> {
  return spawnCli(args, { input: options.input ?? '', timeoutMs: options.timeoutMs, cwd: options.cwd }).done;
}
