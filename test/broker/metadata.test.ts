// The built broker's metadata side as real clients see it: kcat (librdkafka) lists the broker
// and a topic created over the wire with our own codec, and after a restart of the process on
// the same log dir the topic, its id, its partitions and its config overrides are back.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ZERO_UUID } from '../../src/protocol/codec/struct-plan';
import { ErrorCode } from '../../src/protocol/errors/error-codes';
import { CreateTopicsApi } from '../../src/protocol/schemas/create-topics.schema';
import { DescribeConfigsApi } from '../../src/protocol/schemas/describe-configs.schema';
import { MetadataApi } from '../../src/protocol/schemas/metadata.schema';
import { BrokerProcess } from '../support/broker-process';
import { KafkaWireClient } from '../support/kafka-wire-client';
import { waitFor } from '../support/wait-for';

const run = promisify(execFile);

interface KcatMetadata {
  controllerid: number;
  brokers: { id: number; name: string }[];
  topics: { topic: string; partitions: { partition: number; leader: number; replicas: { id: number }[]; isrs: { id: number }[] }[] }[];
}

/** `kcat -L -J`, for every topic or (asking by name, which auto-creates) for one. */
async function kcatList(bootstrap: string, topic?: string): Promise<KcatMetadata> {
  const { stdout } = await run('kcat', ['-b', bootstrap, '-L', '-J', '-m', '10', ...(topic ? ['-t', topic] : [])], { timeout: 20_000 });
  return JSON.parse(stdout) as KcatMetadata;
}

/** kcat's listing once every partition of `topic` has a leader (right after a start it may briefly have none). */
async function kcatListWithLeaders(bootstrap: string, topic: string, byName = false): Promise<KcatMetadata> {
  return waitFor(
    async () => {
      const listing = await kcatList(bootstrap, byName ? topic : undefined);
      const t = listing.topics.find((x) => x.topic === topic);
      return t && t.partitions.length > 0 && t.partitions.every((p) => p.leader === 0) ? listing : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 100, what: `kcat to list ${topic} with leaders` },
  );
}

describe('metadata on the built broker', () => {
  let broker: BrokerProcess;

  beforeAll(async () => {
    broker = await BrokerProcess.start();
  });

  afterAll(async () => {
    await broker?.dispose();
  });

  it('kcat -L lists the broker and a created topic, and both survive a restart', async () => {
    const client = await KafkaWireClient.connect(broker.port);
    const created = await client.request(CreateTopicsApi, 7, {
      topics: [{ name: 'listed', numPartitions: 3, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: '86400000' }] }],
      timeoutMs: 10_000,
      validateOnly: false,
    });
    client.close();
    expect(created.topics[0]).toMatchObject({ name: 'listed', errorCode: ErrorCode.NONE, numPartitions: 3, replicationFactor: 1 });
    const topicId = created.topics[0].topicId;
    expect(topicId).not.toBe(ZERO_UUID);

    const before = await kcatListWithLeaders(broker.bootstrap, 'listed');
    expect(before.brokers).toEqual([{ id: 0, name: broker.bootstrap }]);
    expect(before.controllerid).toBe(0);
    expect(before.topics.find((t) => t.topic === 'listed')!.partitions.map((p) => [p.partition, p.leader, p.replicas, p.isrs])).toEqual([
      [0, 0, [{ id: 0 }], [{ id: 0 }]],
      [1, 0, [{ id: 0 }], [{ id: 0 }]],
      [2, 0, [{ id: 0 }], [{ id: 0 }]],
    ]);

    // The tree is on disk under the first log dir, at Kafka's paths.
    const tree = JSON.parse(readFileSync(join(broker.logDir, 'kafkanest-metadata.json'), 'utf8')) as { nodes: Record<string, { data: string | null }> };
    expect(JSON.parse(tree.nodes['/brokers/topics/listed'].data!)).toMatchObject({ version: 3, topic_id: topicId, partitions: { '0': [0], '1': [0], '2': [0] } });
    expect(JSON.parse(tree.nodes['/config/topics/listed'].data!)).toEqual({ version: 1, config: { 'retention.ms': '86400000' } });

    await broker.restart();

    const after = await kcatListWithLeaders(broker.bootstrap, 'listed');
    expect(after.brokers).toEqual([{ id: 0, name: broker.bootstrap }]);
    expect(after.topics.find((t) => t.topic === 'listed')!.partitions).toHaveLength(3);

    const again = await KafkaWireClient.connect(broker.port);
    const metadata = await again.request(MetadataApi, 12, { topics: [{ name: 'listed', topicId: ZERO_UUID }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    expect(metadata.topics[0]).toMatchObject({ name: 'listed', topicId, errorCode: ErrorCode.NONE });
    const configs = await again.request(DescribeConfigsApi, 4, {
      resources: [{ resourceType: 2, resourceName: 'listed', configurationKeys: ['retention.ms'] }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    expect(configs.results[0].configs[0]).toMatchObject({ name: 'retention.ms', value: '86400000', configSource: 1 });
    again.close();
  });

  it('kcat -L -t auto-creates an unknown topic with the broker defaults', async () => {
    const listing = await kcatListWithLeaders(broker.bootstrap, 'made-by-kcat', true);
    expect(listing.topics.find((t) => t.topic === 'made-by-kcat')!.partitions).toHaveLength(1);
  });
});
