// Topic set-up and raw reads through KafkaWireClient, for suites that must not depend on
// one client library to test another. Versions are negotiated like a real client does:
// the highest both our codec and the broker's ApiVersions answer allow.
import {
  ApiVersionsApi,
  CreateTopicsApi,
  ErrorCode,
  errorName,
  FetchApi,
  highestVersion,
  type ApiSpec,
} from '../../src/protocol';
import { KafkaWireClient } from './kafka-wire-client';

/** Highest version of `api` that we declare, the broker serves and is at most `atMost`. */
export async function negotiatedVersion(client: KafkaWireClient, api: ApiSpec<any, any>, atMost = Infinity): Promise<number> {
  const versions = await client.request(ApiVersionsApi, 3, { clientSoftwareName: 'kafkanest-test', clientSoftwareVersion: '0' });
  const served = versions.apiKeys.find((k) => k.apiKey === api.apiKey);
  if (!served) throw new Error(`the broker does not advertise ${api.name} (key ${api.apiKey})`);
  return Math.min(served.maxVersion, highestVersion(api.validVersions), atMost);
}

/** Creates a topic and fails with the broker's error name unless it was created. */
export async function createTopic(port: number, name: string, numPartitions: number, configs: Record<string, string> = {}): Promise<void> {
  const client = await KafkaWireClient.connect(port);
  try {
    const version = await negotiatedVersion(client, CreateTopicsApi);
    const response = await client.request(CreateTopicsApi, version, {
      topics: [
        {
          name,
          numPartitions,
          replicationFactor: 1,
          assignments: [],
          configs: Object.entries(configs).map(([key, value]) => ({ name: key, value })),
        },
      ],
      timeoutMs: 30_000,
      validateOnly: false,
    });
    const result = response.topics.find((t) => t.name === name);
    if (!result || result.errorCode !== ErrorCode.NONE) {
      throw new Error(`CreateTopics v${version} ${name}: ${result ? `${errorName(result.errorCode)} ${result.errorMessage ?? ''}` : 'no result'}`);
    }
  } finally {
    client.close();
  }
}

/**
 * Every record batch of one partition from `fromOffset` to the high watermark, as the
 * raw bytes Fetch returned (v4, no sessions). Throws on a partition error.
 */
export async function fetchAllBatches(client: KafkaWireClient, topic: string, partition: number, fromOffset = 0): Promise<Buffer[]> {
  const batches: Buffer[] = [];
  let offset = fromOffset;
  for (;;) {
    const response = await client.request(FetchApi, 4, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 8 * 1024 * 1024,
      isolationLevel: 0,
      // Fields left out encode as their version's defaults.
      topics: [{ topic, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 4 * 1024 * 1024 }] } as never],
    });
    const data = response.responses[0]?.partitions[0];
    if (!data) throw new Error(`Fetch ${topic}-${partition}: no partition in the response`);
    if (data.errorCode !== ErrorCode.NONE) throw new Error(`Fetch ${topic}-${partition} at ${offset}: ${errorName(data.errorCode)}`);
    const records = data.records;
    if (!records || records.length === 0) return batches;
    let at = 0;
    let next = offset;
    while (at + 61 <= records.length) {
      const size = records.readInt32BE(at + 8) + 12;
      if (at + size > records.length) break; // a partial batch at the end of max bytes
      batches.push(records.subarray(at, at + size));
      next = Number(records.readBigInt64BE(at)) + records.readInt32BE(at + 23) + 1;
      at += size;
    }
    if (next === offset) throw new Error(`Fetch ${topic}-${partition} at ${offset}: no whole batch in ${records.length} bytes`);
    offset = next;
    if (offset >= data.highWatermark) return batches;
  }
}
