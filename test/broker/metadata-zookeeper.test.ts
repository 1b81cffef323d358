// The same metadata code over a real ZooKeeper with several brokers, each with its own session:
// what the cluster issue builds on. One controller wins; topics are placed over every broker;
// when the controller's session ends another broker takes over with a higher epoch and moves
// leadership off the broker that left.
import { Logger } from '@nestjs/common';
import { ErrorCode } from '../../src/protocol/errors/error-codes';
import { newTopic, quietStoreLogger, startMetadataNode, type MetadataNode } from '../../src/broker/metadata/metadata-node.test-helpers';
import { ZooKeeperMetadataStore } from '../../src/zk/zookeeper-metadata-store';
import { makeTempDir, type TempDir } from '../support/temp-dir';
import { testZkConnect, uniqueZkRoot } from '../support/test-zookeeper';
import { waitFor } from '../support/wait-for';

describe('metadata over ZooKeeper with three brokers', () => {
  let dir: TempDir;
  let connect: string;
  const nodes: MetadataNode[] = [];

  beforeAll(async () => {
    Logger.overrideLogger([]);
    const root = await ZooKeeperMetadataStore.connect({ connect: testZkConnect(), logger: quietStoreLogger });
    const chroot = uniqueZkRoot('metadata');
    await root.create(chroot, null);
    await root.close();
    connect = `${testZkConnect()}${chroot}`;
    dir = makeTempDir();
  });

  afterAll(async () => {
    for (const node of nodes) await node.close().catch(() => undefined);
    dir?.cleanup();
  });

  async function startBroker(brokerId: number): Promise<MetadataNode> {
    const store = await ZooKeeperMetadataStore.connect({ connect, sessionTimeoutMs: 6_000, logger: quietStoreLogger });
    const node = await startMetadataNode(dir.path, { store, config: { brokerId } });
    nodes.push(node);
    return node;
  }

  it('elects one controller, places replicas on distinct brokers, and fails over when the controller leaves', async () => {
    const brokers = [await startBroker(0), await startBroker(1), await startBroker(2)];
    await waitFor(() => brokers.every((b) => b.cache.liveBrokers().length === 3), { what: 'every broker to see three' });
    const active = brokers.filter((b) => b.controller.isActive);
    expect(active).toHaveLength(1);
    const controller = active[0];
    expect(brokers.every((b) => b.cache.controllerId() === controller.config.brokerId)).toBe(true);

    const [created] = await controller.topicAdmin.createTopics([newTopic('spread', 6, 2)], { timeoutMs: 10_000 });
    expect(created.errorCode).toBe(ErrorCode.NONE);
    for (const b of brokers) await b.cache.waitFor(() => b.cache.topic('spread')?.partitions.every((p) => p.leader >= 0) ?? false, 10_000);
    const partitions = brokers[0].cache.topic('spread')!.partitions;
    expect(partitions.every((p) => new Set(p.replicas).size === 2 && p.leader === p.replicas[0] && p.isr.length === 2)).toBe(true);
    expect(new Set(partitions.map((p) => p.leader))).toEqual(new Set([0, 1, 2]));

    // A non-controller is told to go to the controller.
    const follower = brokers.find((b) => b !== controller)!;
    expect((await follower.topicAdmin.createTopics([newTopic('elsewhere')], { timeoutMs: 1_000 }))[0].errorCode).toBe(ErrorCode.NOT_CONTROLLER);

    const gone = controller.config.brokerId;
    const epoch = controller.controller.controllerEpoch;
    await controller.close();
    nodes.splice(nodes.indexOf(controller), 1);
    const survivors = brokers.filter((b) => b !== controller);
    const next = await waitFor(() => survivors.find((b) => b.controller.isActive), { timeoutMs: 15_000, what: 'a new controller' });
    expect(next.controller.controllerEpoch).toBe(epoch + 1);
    await next.cache.waitFor(() => next.cache.topic('spread')!.partitions.every((p) => p.leader !== gone && !p.isr.includes(gone)), 15_000);
    for (const p of next.cache.topic('spread')!.partitions) {
      expect(p.leader).not.toBe(gone);
      expect(p.offlineReplicas).toEqual(p.replicas.includes(gone) ? [gone] : []);
    }
  });
});
