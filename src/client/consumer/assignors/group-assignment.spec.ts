import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from '../../../protocol/consumer-protocol';
import { ProtocolError } from '../../../protocol/protocol-error';
import { render, tps } from './assignors.test-helpers';
import { CooperativeStickyAssignor } from './cooperative-sticky-assignor';
import {
  ASSIGNMENT_VERSION,
  computeGroupAssignment,
  decodeMemberAssignment,
  decodeMemberSubscription,
  encodeMemberSubscription,
  groupByTopic,
  SUBSCRIPTION_VERSION,
} from './group-assignment';
import { RangeAssignor } from './range-assignor';

describe('group assignment over the consumer protocol', () => {
  it("encodes a member's subscription as Java 3.x does: v3, owned partitions, generation in field and userData", () => {
    const metadata = encodeMemberSubscription(new CooperativeStickyAssignor(), {
      topics: ['b', 'a', 'b'],
      ownedPartitions: tps('b-1 a-0 b-0'),
      generationId: 12,
      rackId: 'rack-1',
    });
    const decoded = decodeSubscription(metadata);
    expect(decoded).toEqual({
      version: SUBSCRIPTION_VERSION,
      topics: ['a', 'b'],
      userData: Buffer.from([0, 0, 0, 12]),
      ownedPartitions: [
        { topic: 'a', partitions: [0] },
        { topic: 'b', partitions: [0, 1] },
      ],
      generationId: 12,
      rackId: 'rack-1',
    });
  });

  it('reads a JoinGroup member back into what assignors take', () => {
    const metadata = encodeMemberSubscription(new RangeAssignor(), { topics: ['t'], ownedPartitions: [], generationId: -1 });
    expect(decodeMemberSubscription({ memberId: 'm', groupInstanceId: 'static-1', metadata })).toEqual({
      memberId: 'm',
      groupInstanceId: 'static-1',
      topics: ['t'],
      userData: null,
      ownedPartitions: [],
      generationId: -1,
      rackId: null,
    });
  });

  it('reads subscriptions of older clients: v0 has no owned partitions, v1 no generation', () => {
    const v0 = decodeMemberSubscription({ memberId: 'old', groupInstanceId: null, metadata: encodeSubscription({ topics: ['t'] }, 0) });
    expect(v0).toMatchObject({ topics: ['t'], ownedPartitions: [], generationId: -1 });
    const v1 = decodeMemberSubscription({
      memberId: 'v1',
      groupInstanceId: null,
      metadata: encodeSubscription({ topics: ['t'], ownedPartitions: [{ topic: 't', partitions: [2, 3] }], userData: Buffer.from([0, 0, 0, 4]) }, 1),
    });
    expect(v1).toMatchObject({ ownedPartitions: tps('t-2 t-3'), generationId: -1, userData: Buffer.from([0, 0, 0, 4]) });
  });

  it('rejects metadata that is not a consumer subscription', () => {
    expect(() => decodeMemberSubscription({ memberId: 'x', groupInstanceId: null, metadata: Buffer.from([0, 1, 0xff]) })).toThrow(ProtocolError);
  });

  it("runs the leader's assignment and encodes one SyncGroup entry per member", () => {
    const join = (memberId: string, topics: string[]) => ({
      memberId,
      groupInstanceId: null,
      metadata: encodeMemberSubscription(new RangeAssignor(), { topics, ownedPartitions: [], generationId: -1 }),
    });
    const entries = computeGroupAssignment(new RangeAssignor(), new Map([['t', 3], ['u', 1]]), [join('b', ['t']), join('a', ['t', 'u']), join('c', ['nothing'])]);
    expect(entries.map((e) => e.memberId)).toEqual(['b', 'a', 'c']);
    expect(decodeAssignment(entries[0].assignment)).toEqual({ version: ASSIGNMENT_VERSION, assignedPartitions: [{ topic: 't', partitions: [2] }], userData: null });
    expect(render(new Map(entries.map((e) => [e.memberId, decodeMemberAssignment(e.assignment)])))).toEqual({ a: 't-0 t-1 u-0', b: 't-2', c: '' });
  });

  it("reads a member's assignment, an empty answer meaning no partitions", () => {
    expect(decodeMemberAssignment(Buffer.alloc(0))).toEqual([]);
    const bytes = encodeAssignment({ assignedPartitions: [{ topic: 'z', partitions: [1, 0] }, { topic: 'a', partitions: [4] }] }, 0);
    expect(decodeMemberAssignment(bytes)).toEqual(tps('a-4 z-0 z-1'));
  });

  it('groups partitions by topic in order', () => {
    expect(groupByTopic(tps('b-2 a-1 b-0 a-0'))).toEqual([
      { topic: 'a', partitions: [0, 1] },
      { topic: 'b', partitions: [0, 2] },
    ]);
    expect(groupByTopic([])).toEqual([]);
  });
});
