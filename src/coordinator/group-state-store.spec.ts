import { EmbeddedMetadataStore } from '../zk/embedded-metadata-store';
import type { StoredGroup } from '../zk/accessors/consumer-group-metadata';
import { ConnectionLossError } from '../zk/metadata-store.errors';
import { GroupOwnershipLostError, GroupStateStore } from './group-state-store';

const stateAt = (generation: number): StoredGroup => ({
  protocolType: 'consumer',
  generation,
  protocol: 'range',
  leader: 'm1',
  currentStateTimestamp: 0,
  subscribedPartitions: {},
  members: [{ memberId: 'm1', groupInstanceId: null, clientId: 'app', clientHost: '/127.0.0.1', rebalanceTimeoutMs: 1000, sessionTimeoutMs: 1000, subscription: Buffer.alloc(0), assignment: Buffer.alloc(0) }],
});

const generationIn = async (store: EmbeddedMetadataStore): Promise<number | undefined> =>
  (await store.get<{ generation: number }>('/consumers/g/generation'))?.value.generation;

/** A coordinator's store: loads the group and holds it, as GroupCoordinator does. */
async function holder(store: EmbeddedMetadataStore): Promise<GroupStateStore> {
  const states = new GroupStateStore(store);
  const { version } = await states.load('g');
  states.hold('g', version);
  return states;
}

describe('GroupStateStore', () => {
  let store: EmbeddedMetadataStore;
  beforeEach(async () => {
    store = await EmbeddedMetadataStore.open();
  });
  afterEach(() => store.close());

  it('runs one group’s writes one after another, each over the version the previous one left', async () => {
    const states = await holder(store);
    await Promise.all([1, 2, 3].map((g) => states.save('g', stateAt(g))));
    expect(await generationIn(store)).toBe(3);
    expect((await store.exists('/consumers/g/generation'))?.version).toBe(2);
  });

  it('fences the previous holder by claiming the node on load', async () => {
    const a = await holder(store);
    await a.save('g', stateAt(1));
    const b = new GroupStateStore(store);
    const loaded = await b.load('g');
    expect(loaded.stored).toMatchObject({ generation: 1 });
    b.hold('g', loaded.version);
    await expect(a.save('g', stateAt(2))).rejects.toBeInstanceOf(GroupOwnershipLostError);
    await b.save('g', stateAt(2));
    expect(await generationIn(store)).toBe(2);
    // Having lost the group, A's later writes are refused without touching the store.
    await expect(a.save('g', stateAt(3))).rejects.toBeInstanceOf(GroupOwnershipLostError);
    expect(await generationIn(store)).toBe(2);
  });

  it('refuses writes for a group it released', async () => {
    const states = await holder(store);
    states.release('g');
    await expect(states.save('g', stateAt(1))).rejects.toBeInstanceOf(GroupOwnershipLostError);
    expect(await store.exists('/consumers/g/generation')).toBeNull();
  });

  it('after a write whose answer was lost, adopts it if it landed and carries on if it did not', async () => {
    const states = await holder(store);
    await states.save('g', stateAt(1));
    const set = store.set.bind(store);
    const spy = jest.spyOn(store, 'set');
    // Landed, answer lost.
    spy.mockImplementationOnce(async (...args) => {
      await set(...args);
      throw new ConnectionLossError('test');
    });
    await expect(states.save('g', stateAt(2))).rejects.toBeInstanceOf(ConnectionLossError);
    await states.save('g', stateAt(3));
    expect(await generationIn(store)).toBe(3);
    // Never landed.
    spy.mockImplementationOnce(() => Promise.reject(new ConnectionLossError('test')));
    await expect(states.save('g', stateAt(4))).rejects.toBeInstanceOf(ConnectionLossError);
    await states.save('g', stateAt(5));
    expect(await generationIn(store)).toBe(5);
  });

  it('takes an unconfirmed write overtaken by another broker as the group lost', async () => {
    const a = await holder(store);
    await a.save('g', stateAt(1));
    jest.spyOn(store, 'set').mockImplementationOnce(() => Promise.reject(new ConnectionLossError('test')));
    await expect(a.save('g', stateAt(2))).rejects.toBeInstanceOf(ConnectionLossError);
    const b = await holder(store);
    await b.save('g', stateAt(2));
    await expect(a.save('g', stateAt(3))).rejects.toBeInstanceOf(GroupOwnershipLostError);
    expect(await generationIn(store)).toBe(2);
  });
});
