// Consumer-group members as child processes (test/coordinator/kafkajs-member.js), and what
// they report: joins with generation and assignment, processed batches, acknowledged
// commits. Suites assert on these reports rather than on the broker's internals.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';

const MEMBER_SCRIPT = resolve(__dirname, '..', 'coordinator', 'kafkajs-member.js');
const REPO_ROOT = resolve(__dirname, '..', '..');

export interface MemberOptions {
  brokers: string[];
  groupId: string;
  topics: string[];
  sessionTimeout: number;
  rebalanceTimeout: number;
  heartbeatInterval: number;
  /** Time spent "working" on each batch, to pace consumption. */
  batchDelayMs?: number;
  /** Fetch limit per partition; kafkajs passes all a fetch returned for a partition to one eachBatch call. */
  maxBytesPerPartition?: number;
  clientId?: string;
}

/** topic -> partitions */
export type Assignment = Record<string, number[]>;

export interface JoinEvent {
  ev: 'join';
  t: number;
  generation: number;
  memberId: string;
  leaderId: string;
  isLeader: boolean;
  assignment: Assignment;
}

export interface BatchEvent {
  ev: 'batch';
  t: number;
  topic: string;
  partition: number;
  offsets: number[];
  values: (string | null)[];
}

export interface CommitEvent {
  ev: 'commit';
  t: number;
  generation: number;
  memberId: string;
  /** Committed positions: the next offset to read. */
  offsets: { topic: string; partition: number; offset: number }[];
}

export type MemberEvent = JoinEvent | BatchEvent | CommitEvent | { ev: 'ready' | 'stopped'; t: number } | { ev: 'crash'; t: number; error: string };

export class MemberProcess {
  readonly events: MemberEvent[] = [];
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly exit: Promise<void>;
  private readonly listeners = new Set<(e: MemberEvent) => void>();
  private partialLine = '';
  private stderr = '';

  constructor(
    readonly name: string,
    options: MemberOptions,
  ) {
    this.child = spawn(process.execPath, [MEMBER_SCRIPT, JSON.stringify(options)], { cwd: REPO_ROOT });
    // 'close', not 'exit': by then every line the member wrote has been read.
    this.exit = new Promise((done) => this.child.once('close', () => done()));
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => this.read(chunk));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr = (this.stderr + chunk).slice(-4000)));
    live.add(this);
    void this.exit.then(() => live.delete(this));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  joins(): JoinEvent[] {
    return this.events.filter((e): e is JoinEvent => e.ev === 'join');
  }

  batches(): BatchEvent[] {
    return this.events.filter((e): e is BatchEvent => e.ev === 'batch');
  }

  commits(): CommitEvent[] {
    return this.events.filter((e): e is CommitEvent => e.ev === 'commit');
  }

  lastJoin(): JoinEvent | undefined {
    return this.joins().at(-1);
  }

  /**
   * Resolves with the first event, already reported or to come, that matches; it is checked
   * as each line arrives, so the caller acts before the member does much more. Rejects on
   * a crash report, an exit, or the timeout.
   */
  waitForEvent<E extends MemberEvent>(match: (e: MemberEvent) => e is E, what: string, timeoutMs = 15_000): Promise<E> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`${this.name}: no ${what} within ${timeoutMs} ms${this.stderrTail()}`)), timeoutMs);
      const check = (e: MemberEvent): void => {
        if (match(e)) done(null, e);
        else if (e.ev === 'crash') done(new Error(`${this.name} crashed while waiting for ${what}: ${e.error}${this.stderrTail()}`));
      };
      const onExit = (): void => done(new Error(`${this.name} exited while waiting for ${what}${this.stderrTail()}`));
      const done = (err: Error | null, e?: E): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
        this.child.off('close', onExit);
        if (err) reject(err);
        else resolve(e!);
      };
      this.listeners.add(check);
      this.child.once('close', onExit);
      for (const e of this.events) {
        check(e);
        if (!this.listeners.has(check)) return;
      }
    });
  }

  /** A crash: no LeaveGroup, no final commit; the broker must notice by the session timeout. */
  async kill(): Promise<number> {
    const at = Date.now();
    this.child.kill('SIGKILL');
    await this.exit;
    return at;
  }

  /** A clean leave: kafkajs commits, sends LeaveGroup and exits. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    await this.exit;
  }

  private read(chunk: string): void {
    const lines = (this.partialLine + chunk).split('\n');
    this.partialLine = lines.pop()!;
    for (const line of lines) {
      if (!line.trim()) continue;
      const event = JSON.parse(line) as MemberEvent;
      this.events.push(event);
      for (const listener of [...this.listeners]) listener(event);
    }
  }

  private stderrTail(): string {
    return this.stderr ? ` (stderr: ${this.stderr})` : '';
  }
}

/** Partitions of `topic` in an assignment, sorted. */
export function partitionsOf(assignment: Assignment, topic: string): number[] {
  return [...(assignment[topic] ?? [])].sort((a, b) => a - b);
}

/** Each member's assignment in `generation`, as reported by the members that joined it. */
export function assignmentsInGeneration(members: readonly MemberProcess[], generation: number): Map<string, Assignment> {
  const result = new Map<string, Assignment>();
  for (const m of members) for (const j of m.joins()) if (j.generation === generation) result.set(j.memberId, j.assignment);
  return result;
}

/** Stops every member still running (SIGKILL: the suite is ending). */
export async function killAllMembers(): Promise<void> {
  await Promise.all([...live].map((m) => m.kill()));
}

const live = new Set<MemberProcess>();
process.once('exit', () => {
  for (const m of live) if (m.alive) process.kill(m.pid, 'SIGKILL');
});
