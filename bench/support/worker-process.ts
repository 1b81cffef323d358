/**
 * The parent's side of worker-protocol.ts: a client worker as a child process, one
 * command at a time. The worker's stderr (and any stdout line that is not an answer) is
 * kept, so a failure can say what the client printed.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ANSWER_PREFIX, type Measurement, type WorkerAnswer, type WorkerCommand } from './worker-protocol';

const REPO = resolve(__dirname, '..', '..');
const OUTPUT_LIMIT = 8 * 1024;

export class WorkerProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private pending: { resolve: (a: WorkerAnswer) => void; reject: (err: Error) => void } | undefined;
  private output = '';
  private exited: Error | undefined;

  /**
   * `script` under bench/support: a .ts file runs under @swc-node/register as the
   * benchmarks do, a .mjs file under plain Node. `nodeArgs` go before the script
   * (--cpu-prof, say).
   */
  constructor(script: string, args: readonly string[], nodeArgs: readonly string[] = []) {
    const file = resolve(__dirname, script);
    const loader = file.endsWith('.ts') ? ['-r', '@swc-node/register'] : [];
    this.child = spawn(process.execPath, [...nodeArgs, ...loader, file, ...args], {
      cwd: REPO,
      env: { ...process.env, SWC_NODE_PROJECT: resolve(REPO, 'tsconfig.json') },
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (!line.startsWith(ANSWER_PREFIX)) return this.keep(`${line}\n`);
      const settle = this.pending;
      this.pending = undefined;
      settle?.resolve(JSON.parse(line.slice(ANSWER_PREFIX.length)) as WorkerAnswer);
    });
    this.child.stderr.setEncoding('utf8').on('data', (text: string) => this.keep(text));
    this.child.once('exit', (code, signal) => {
      this.exited = new Error(`worker ${script} exited (${code ?? signal}): ${this.output.slice(-2000)}`);
      this.pending?.reject(this.exited);
      this.pending = undefined;
    });
  }

  /** Runs one command; rejects with the worker's error (or its last output if it died). */
  async run(command: WorkerCommand): Promise<Measurement> {
    if (this.exited) throw this.exited;
    if (this.pending) throw new Error('one command at a time');
    const answer = await new Promise<WorkerAnswer>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.child.stdin.write(`${JSON.stringify(command)}\n`);
    });
    if (!answer.ok) throw new Error(answer.error);
    return answer.result;
  }

  /** Asks the worker to exit and waits for it (killing it after `timeoutMs`). */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end(`${JSON.stringify({ op: 'exit' })}\n`);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await gone;
    clearTimeout(timer);
  }

  private keep(text: string): void {
    this.output = (this.output + text).slice(-OUTPUT_LIMIT);
  }
}
