/**
 * The `.expected.json` beside each captured request frame in test/fixtures/protocol:
 * written by scripts/capture-protocol-fixtures.ts, checked by golden-fixtures.spec.ts.
 */
export interface GoldenExpectation {
  fixture: string;
  client: string;
  clientVersion: string;
  scenario: string;
  api: string;
  /** From the frame's first bytes (int16 key, int16 version, int32 correlation id) and the configured client id. */
  header: { apiKey: number; apiVersion: number; correlationId: number; clientId: string };
  /** A subset of the decoded body; arrays match element by element. */
  body: Record<string, unknown>;
  /** Produce: the records of the (single) batch, by the record-batch view. */
  records?: { key: string; value: string }[];
  /** JoinGroup: each protocol's metadata as a consumer-protocol subscription. */
  subscriptions?: { name: string; topics: string[] }[];
  /** SyncGroup: the leader's assignment bytes as consumer-protocol assignments. */
  assignments?: { memberId: string; topics: { topic: string; partitions: number[] }[] }[];
}
