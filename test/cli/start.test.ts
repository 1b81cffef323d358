import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Runs the built bin (the pretest script builds dist/), exactly as `npm start` does.
const MAIN = join(__dirname, '..', '..', 'dist', 'cli', 'main.js');
const DEADLINE_MS = 20_000;

interface Run {
  readonly child: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function runKafkanest(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  // A clean environment apart from PATH: no stray LOG_DIRS or SERVER_PORT from the host.
  const child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH, ...env }, cwd: workDir });
  const run: Run = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (run.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (run.stderr += chunk));
  return run;
}

function withDeadline<T>(promise: Promise<T>, what: string, run: Run): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${DEADLINE_MS} ms; stdout: ${run.stdout} stderr: ${run.stderr}`)), DEADLINE_MS);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** Resolves with the admin URL from the one line `kafkanest admin listening on http://HOST:PORT`. */
function adminUrl(run: Run): Promise<string> {
  const listening = new Promise<string>((resolve, reject) => {
    const check = (): void => {
      const match = /^kafkanest admin listening on (http:\/\/\S+)$/m.exec(run.stdout);
      if (match) resolve(match[1]);
    };
    run.child.stdout.on('data', check);
    check();
    void run.exited.then(({ code }) => reject(new Error(`exited with ${code} before listening: ${run.stderr}`)));
  });
  return withDeadline(listening, 'startup', run);
}

let workDir: string;
let configFile: string;
const running: Run[] = [];

beforeEach(() => {
  workDir = mkdtempSync(join(tmpdir(), 'kafkanest-start-'));
  configFile = join(workDir, 'application.yml');
  writeFileSync(configFile, `log.dirs: ${join(workDir, 'logs')}\nlisteners: PLAINTEXT://127.0.0.1:0\nserver:\n  address: 127.0.0.1\n  port: 8080\n`);
});

afterEach(async () => {
  for (const run of running.splice(0)) {
    if (run.child.exitCode === null && run.child.signalCode === null) {
      run.child.kill('SIGKILL');
      await run.exited;
    }
  }
  rmSync(workDir, { recursive: true, force: true });
});

function start(args: string[], env?: NodeJS.ProcessEnv): Run {
  const run = runKafkanest(['start', '--config', configFile, ...args], env);
  running.push(run);
  return run;
}

describe('kafkanest start', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('serves GET /health on server.port and exits 0 on %s', async (signal) => {
    const run = start(['--set', 'server.port=0']);
    const url = await adminUrl(run);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toMatch(/:8080$/);

    const response = await fetch(`${url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });

    run.child.kill(signal);
    expect(await withDeadline(run.exited, 'shutdown', run)).toEqual({ code: 0, signal: null });
    expect(run.stderr).toBe('');
  });

  it('takes server.port from the environment when no --set overrides it', async () => {
    const run = start([], { SERVER_PORT: '0' });
    const url = await adminUrl(run);
    expect(url).not.toMatch(/:8080$/);
    run.child.kill('SIGTERM');
    expect((await withDeadline(run.exited, 'shutdown', run)).code).toBe(0);
  });

  it('stops with exit code 2 and one line naming key, value and rule for an invalid value', async () => {
    const run = start(['--set', 'server.port=0', '--set', 'num.partitions=-3']);
    expect(await withDeadline(run.exited, 'exit', run)).toEqual({ code: 2, signal: null });
    const lines = run.stderr.split('\n').filter((line) => line.length > 0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('num.partitions=-3: must be >= 1');
    expect(run.stdout).toBe('');
  });

  it('names the file when the invalid value comes from it', async () => {
    writeFileSync(configFile, 'kafka.producer.acks: 2\n');
    const run = start([]);
    expect((await withDeadline(run.exited, 'exit', run)).code).toBe(2);
    expect(run.stderr).toBe('kafka.producer.acks=2: must be one of all, -1, 0, 1 (from application.yml)\n');
  });

  it('exits 2 when --config names a missing file', async () => {
    const run = runKafkanest(['start', '--config', join(workDir, 'nope.yml')]);
    running.push(run);
    expect((await withDeadline(run.exited, 'exit', run)).code).toBe(2);
    expect(run.stderr).toMatch(/^--config=.*nope\.yml: file not found\n$/);
  });

  it('exits 1 with one line when the admin port is taken', async () => {
    const first = start(['--set', 'server.port=0']);
    const port = new URL(await adminUrl(first)).port;
    const second = start(['--set', `server.port=${port}`]);
    expect((await withDeadline(second.exited, 'exit', second)).code).toBe(1);
    expect(second.stderr).toMatch(/^kafkanest: cannot start: .*EADDRINUSE.*\n$/);
  });
});

describe('kafkanest', () => {
  it('prints usage and exits 0 for --help', async () => {
    const run = runKafkanest(['--help']);
    running.push(run);
    expect((await withDeadline(run.exited, 'exit', run)).code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: kafkanest <command>/);
    expect(run.stdout).toMatch(/^\s+start\s/m);
  });

  it('prints usage and exits 2 for an unknown command', async () => {
    const run = runKafkanest(['frobnicate']);
    running.push(run);
    expect((await withDeadline(run.exited, 'exit', run)).code).toBe(2);
    expect(run.stderr).toMatch(/^kafkanest: unknown command 'frobnicate'\nUsage: kafkanest <command>/);
  });

  it('exits 2 for an unknown option of a command', async () => {
    const run = runKafkanest(['start', '--bogus']);
    running.push(run);
    expect((await withDeadline(run.exited, 'exit', run)).code).toBe(2);
    expect(run.stderr).toContain("Unknown option '--bogus'");
  });
});
