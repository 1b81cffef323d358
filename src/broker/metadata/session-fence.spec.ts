import type { MetadataStore, NodeStat, SessionEvent } from '../../zk/metadata-store';
import { SessionFence } from './session-fence';

const SESSION_MS = 4000;
const REGISTERED: NodeStat = { version: 0, cversion: 0, numChildren: 0, ephemeral: true };

/** The parts of a store the fence uses: exists() answered by the test, session events it emits. */
class FakeStore {
  readonly listeners = new Set<(event: SessionEvent) => void>();
  existsCalls = 0;
  answer: () => Promise<NodeStat | null> = async () => REGISTERED;

  exists(): Promise<NodeStat | null> {
    this.existsCalls++;
    return this.answer();
  }

  onSessionEvent(listener: (event: SessionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: SessionEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within 2 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('SessionFence', () => {
  let store: FakeStore;
  let clock: number;
  let resyncs: number;
  let fence: SessionFence;
  const quiet = { warn: () => undefined, log: () => undefined };

  beforeEach(() => {
    store = new FakeStore();
    clock = 1_000_000;
    resyncs = 0;
    fence = new SessionFence(store as unknown as MetadataStore, {
      localBrokerId: 1,
      sessionTimeoutMs: SESSION_MS,
      resync: async () => void resyncs++,
      now: () => clock,
      logger: quiet,
    });
    fence.start();
  });

  afterEach(() => fence.stop());

  it('stays open while the process keeps running', () => {
    for (let i = 0; i < 50; i++) {
      clock += 100;
      expect(fence.fenced).toBe(false);
    }
    expect(store.existsCalls).toBe(0);
  });

  it('fences at the first check after a stall past half the session timeout, and lifts once the session and partition states are confirmed', async () => {
    let confirm!: (stat: NodeStat | null) => void;
    store.answer = () => new Promise((resolve) => (confirm = resolve));
    clock += SESSION_MS / 2 + 1;
    expect(fence.fenced).toBe(true);
    await until(() => store.existsCalls === 1, 'a session check');
    expect(fence.fenced).toBe(true);
    confirm(REGISTERED);
    await until(() => !fence.fenced, 'the fence to lift');
    expect(resyncs).toBe(1);
  });

  it('fences when the store reports the session expired, and keeps checking until the registration is back', async () => {
    let attempts = 0;
    store.answer = async () => {
      attempts++;
      if (attempts === 1) throw new Error('SESSIONEXPIRED');
      return attempts === 2 ? null : REGISTERED; // a new session, before and after re-registering
    };
    store.emit({ type: 'expired', sessionId: '0x1' });
    expect(fence.fenced).toBe(true);
    await until(() => !fence.fenced, 'the fence to lift');
    expect(attempts).toBe(3);
    expect(resyncs).toBe(1);
  });

  it('is not lifted by a confirmation begun before a newer fencing', async () => {
    const confirms: Array<(stat: NodeStat | null) => void> = [];
    store.answer = () => new Promise((resolve) => confirms.push(resolve));
    store.emit({ type: 'expired', sessionId: '0x1' });
    await until(() => confirms.length === 1, 'the first check');
    store.emit({ type: 'expired', sessionId: '0x2' });
    await until(() => confirms.length === 2, 'the second check');
    confirms[0](REGISTERED);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fence.fenced).toBe(true);
    confirms[1](REGISTERED);
    await until(() => !fence.fenced, 'the fence to lift');
  });

  it('ignores a dropped connection: the session may well survive it', () => {
    store.emit({ type: 'disconnected', sessionId: '0x1' });
    expect(fence.fenced).toBe(false);
  });
});
