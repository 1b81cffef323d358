// ZooKeeperMetadataStore against a real ZooKeeper (Debian's, started by the global setup or,
// for the restart test, by this file): the shared contract, then what only a networked
// session has: expiry with ephemeral re-creation, and riding out a server restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startZooKeeper } from '../../scripts/zookeeper';
import type { ChildrenWatchEvent, DataWatchEvent, SessionEvent } from '../../src/zk/metadata-store';
import { describeMetadataStoreContract, EventQueue, pollUntil } from '../../src/zk/metadata-store-contract.test-helpers';
import { ConnectionLossError } from '../../src/zk/metadata-store.errors';
import { ZooKeeperMetadataStore, type ZooKeeperMetadataStoreOptions } from '../../src/zk/zookeeper-metadata-store';
import { testZkConnect, uniqueZkRoot } from '../support/test-zookeeper';

// Session expiry and a server restart each take seconds (client reconnect back-off, JVM start).
jest.setTimeout(60_000);

const quietLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** Each test gets its own chroot, so tests share the server without seeing each other. */
async function chrootHarness(options: Partial<ZooKeeperMetadataStoreOptions> = {}) {
  const root = await ZooKeeperMetadataStore.connect({ connect: testZkConnect(), logger: quietLogger });
  const chroot = uniqueZkRoot('contract');
  await root.create(chroot, null);
  return {
    chroot,
    root,
    open: () => ZooKeeperMetadataStore.connect({ connect: `${testZkConnect()}${chroot}`, sessionTimeoutMs: 6000, logger: quietLogger, ...options }),
    concurrentClients: true,
    dispose: async () => {
      await root.delete(chroot, undefined, { recursive: true });
      await root.close();
    },
  };
}

describeMetadataStoreContract('ZooKeeper', () => chrootHarness());

/**
 * Ends the store's session on the server: a second client attaches to the same session id
 * and password, then closes it, which drops the store's connection and makes its reconnect
 * answer "session expired". If the store's client wins the session back before the close
 * arrives, the server ignores that close (the session moved), so this repeats until the
 * store reports the expiry.
 */
async function expireSession(store: ZooKeeperMetadataStore, connect: string): Promise<void> {
  let expired = false;
  const stopListening = store.onSessionEvent((e) => {
    if (e.type === 'expired') expired = true;
  });
  try {
    for (let attempt = 1; !expired; attempt++) {
      if (attempt > 5) throw new Error('could not expire the session in 5 attempts');
      const credentials = store.sessionCredentials();
      if (credentials) await attachAndClose(connect, credentials);
      await pollUntil(async () => expired, 'session expiry', 5000).catch(() => undefined);
    }
  } finally {
    stopListening();
  }
}

async function attachAndClose(connect: string, credentials: { clientId: string; password: string }): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ZooKeeper = require('zookeeper');
  const intruder = new ZooKeeper({ connect, timeout: 6000, debug_level: 0, client_id: credentials.clientId, client_password: credentials.password });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      intruder.close();
      reject(new Error('second client did not attach to the session'));
    }, 10_000);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    intruder.once('connect', done);
    // Already expired by an earlier attempt: the server refuses the session and we are done.
    intruder.once('close', done);
    intruder.init({});
  });
  intruder.close();
}

describe('ZooKeeperMetadataStore sessions', () => {
  let harness: Awaited<ReturnType<typeof chrootHarness>>;
  const stores: ZooKeeperMetadataStore[] = [];
  const open = async () => {
    const s = await harness.open();
    stores.push(s);
    return s;
  };

  beforeEach(async () => {
    harness = await chrootHarness();
  });

  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    await harness.dispose();
  });

  it('re-creates its ephemeral nodes with their latest data after the session expires', async () => {
    const store = await open();
    const observer = await open();
    const sessionEvents = new EventQueue<SessionEvent>();
    store.onSessionEvent(sessionEvents.push);

    await store.create('/brokers/ids/1', { host: 'a', port: 1 }, { mode: 'ephemeral', createParents: true });
    await store.set('/brokers/ids/1', { host: 'a', port: 2 });
    await store.create('/controller', { version: 1, brokerid: 1 }, { mode: 'ephemeral' });
    const oldSession = store.sessionId;
    const seen = new EventQueue<ChildrenWatchEvent>();
    await observer.watchChildren('/brokers/ids', seen.push);

    await expireSession(store, `${testZkConnect()}${harness.chroot}`);

    expect(await sessionEvents.until((e) => e.type === 'expired')).toEqual({ type: 'expired', sessionId: oldSession });
    const back = await sessionEvents.until((e) => e.type === 'reconnected' && e.newSession);
    expect(back).toMatchObject({ type: 'reconnected', newSession: true, lostEphemerals: [] });
    expect(back.type === 'reconnected' && [...(back.recreatedEphemerals ?? [])].sort()).toEqual(['/brokers/ids/1', '/controller']);
    expect(store.sessionId).not.toBe(oldSession);

    // The observer saw the broker come back (its vanishing may be folded into the same event).
    await seen.until((e) => e.children?.length === 1);
    expect(await observer.get('/brokers/ids/1')).toEqual({ value: { host: 'a', port: 2 }, version: 0 });
    expect(await observer.exists('/controller')).toMatchObject({ ephemeral: true });

    // And the re-created node belongs to the new session: it goes when that one closes.
    await store.close();
    await pollUntil(async () => (await observer.exists('/brokers/ids/1')) === null, 'ephemeral removed on close');
  });

  it('keeps delivering watch events across a session expiry', async () => {
    const store = await open();
    const writer = await open();
    await writer.create('/topic', { v: 0 });
    const events = new EventQueue<DataWatchEvent>();
    await store.watchData('/topic', events.push);
    const sessionEvents = new EventQueue<SessionEvent>();
    store.onSessionEvent(sessionEvents.push);

    await expireSession(store, `${testZkConnect()}${harness.chroot}`);
    await sessionEvents.until((e) => e.type === 'reconnected' && e.newSession);

    await writer.set('/topic', { v: 1 });
    expect(await events.next()).toEqual({ path: '/topic', node: { value: { v: 1 }, version: 1 } });
  });

  it('does not re-create an ephemeral node another session took over meanwhile', async () => {
    const store = await open();
    const rival = await open();
    const sessionEvents = new EventQueue<SessionEvent>();
    store.onSessionEvent(sessionEvents.push);
    await store.create('/controller', { brokerid: 1 }, { mode: 'ephemeral' });

    // The rival behaves like a broker in a controller election: whenever /controller
    // changes or goes, it tries to take it. Whether it beats the store's re-creation is a
    // race; either way exactly one owner must remain and the store must say which.
    const attempts: Promise<boolean>[] = [];
    await rival.watchData('/controller', () => {
      attempts.push(
        rival
          .create('/controller', { brokerid: 2 }, { mode: 'ephemeral' })
          .then(() => true)
          .catch(() => false),
      );
    });
    await expireSession(store, `${testZkConnect()}${harness.chroot}`);
    // The old connection may first win its session back from the intruder (newSession=false)
    // before the intruder's close expires it.
    const back = await sessionEvents.until((e) => e.type === 'reconnected' && e.newSession);
    await pollUntil(async () => attempts.length > 0, 'the rival to see /controller change');
    const rivalWon = (await Promise.all(attempts)).some(Boolean);
    const controller = await rival.get<{ brokerid: number }>('/controller');
    if (rivalWon) {
      expect(back).toMatchObject({ lostEphemerals: ['/controller'] });
      expect(controller?.value.brokerid).toBe(2);
    } else {
      expect(back).toMatchObject({ recreatedEphemerals: ['/controller'] });
      expect(controller?.value.brokerid).toBe(1);
    }
  });

  it('creates a missing chroot (with its parents) on connect, as Kafka does', async () => {
    const chroot = `${uniqueZkRoot('chroot')}/nested/kafka`;
    const store = await ZooKeeperMetadataStore.connect({ connect: `${testZkConnect()}${chroot}`, logger: quietLogger });
    const root = await ZooKeeperMetadataStore.connect({ connect: testZkConnect(), logger: quietLogger });
    try {
      await store.create('/brokers', null);
      expect(await root.exists(`${chroot}/brokers`)).not.toBeNull();
      // Connecting again to the now existing chroot is fine.
      await (await ZooKeeperMetadataStore.connect({ connect: `${testZkConnect()}${chroot}`, logger: quietLogger })).close();
    } finally {
      await store.close();
      await root.delete(chroot.split('/').slice(0, 2).join('/'), undefined, { recursive: true });
      await root.close();
    }
  });

  it('fails to connect with ConnectionLoss when nothing listens', async () => {
    const err = await ZooKeeperMetadataStore.connect({ connect: '127.0.0.1:1', connectionTimeoutMs: 500, logger: quietLogger }).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectionLossError);
    expect(err.message).toMatch(/127\.0\.0\.1:1/);
  });
});

describe('ZooKeeperMetadataStore across a ZooKeeper restart', () => {
  it('reconnects to the same session: ephemerals and watches survive, calls made meanwhile wait', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kafkanest-zk-restart-'));
    let server = await startZooKeeper({ dataDir });
    const port = server.port;
    const store = await ZooKeeperMetadataStore.connect({ connect: server.connectString, sessionTimeoutMs: 20_000, connectionTimeoutMs: 30_000, logger: quietLogger });
    try {
      const sessionEvents = new EventQueue<SessionEvent>();
      store.onSessionEvent(sessionEvents.push);
      await store.create('/brokers/ids/0', { host: 'h' }, { mode: 'ephemeral', createParents: true });
      const events = new EventQueue<DataWatchEvent>();
      await store.watchData('/state', events.push);
      const session = store.sessionId;

      await server.stop();
      expect(await sessionEvents.next()).toEqual({ type: 'disconnected', sessionId: session });
      const pendingCreate = store.create('/state', { leader: 0 });
      server = await startZooKeeper({ dataDir, port });

      expect(await sessionEvents.next(30_000)).toEqual({ type: 'reconnected', sessionId: session, newSession: false });
      expect(await pendingCreate).toBe('/state');
      expect(await events.next()).toEqual({ path: '/state', node: { value: { leader: 0 }, version: 0 } });
      expect(await store.exists('/brokers/ids/0')).toMatchObject({ ephemeral: true });
    } finally {
      await store.close();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
