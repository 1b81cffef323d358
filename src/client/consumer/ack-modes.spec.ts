import { isManualAckMode, OffsetCommitPolicy, type AckMode, type CommitPolicySettings } from './ack-modes';

const rec = (topic: string, partition: number, offset: number) => ({ topic, partition, offset });
const at = (topic: string, partition: number, offset: number) => ({ topic, partition, offset });

class FakeClock {
  constructor(public now = 1_000_000) {}
  advance(ms: number): void {
    this.now += ms;
  }
  readonly read = () => this.now;
}

function policy(ackMode: AckMode, settings: Partial<CommitPolicySettings> = {}, clock = new FakeClock()) {
  return { clock, policy: new OffsetCommitPolicy({ ackMode, ackCount: 1, ackTimeMs: 5000, ...settings }, clock.read) };
}

/** A record listener's poll: deliver, process each, report its commits, then the batch end. */
function runPoll(p: OffsetCommitPolicy, records: ReturnType<typeof rec>[]) {
  const perRecord = records.map((r) => {
    p.recordDelivered(r);
    return p.recordProcessed(r);
  });
  return { perRecord, atEnd: p.batchDone() };
}

describe('OffsetCommitPolicy', () => {
  it('knows which ack modes hand listeners an Acknowledgment', () => {
    expect(['RECORD', 'BATCH', 'TIME', 'COUNT', 'COUNT_TIME', 'MANUAL', 'MANUAL_IMMEDIATE'].filter((m) => isManualAckMode(m as AckMode))).toEqual([
      'MANUAL',
      'MANUAL_IMMEDIATE',
    ]);
    expect(policy('MANUAL').policy.manual).toBe(true);
    expect(policy('BATCH').policy.manual).toBe(false);
  });

  it('refuses settings Spring would refuse', () => {
    expect(() => new OffsetCommitPolicy({ ackMode: 'COUNT', ackCount: 0, ackTimeMs: 1 })).toThrow(/ackCount/);
    expect(() => new OffsetCommitPolicy({ ackMode: 'TIME', ackCount: 1, ackTimeMs: 0 })).toThrow(/ackTimeMs/);
  });

  describe('RECORD', () => {
    it('commits each record as soon as it is processed, the next offset to read', () => {
      const { policy: p } = policy('RECORD');
      const { perRecord, atEnd } = runPoll(p, [rec('t', 0, 5), rec('t', 1, 9), rec('t', 0, 6)]);
      expect(perRecord).toEqual([[at('t', 0, 6)], [at('t', 1, 10)], [at('t', 0, 7)]]);
      expect(atEnd).toEqual([]);
    });
  });

  describe('BATCH', () => {
    it('commits nothing while records are processed, then the highest offset per partition', () => {
      const { policy: p } = policy('BATCH');
      const { perRecord, atEnd } = runPoll(p, [rec('t', 0, 5), rec('t', 1, 9), rec('t', 0, 6), rec('u', 0, 0)]);
      expect(perRecord.flat()).toEqual([]);
      expect(atEnd).toEqual([at('t', 0, 7), at('t', 1, 10), at('u', 0, 1)]);
      expect(p.batchDone()).toEqual([]);
    });

    it('never commits a lower offset for a partition than one already processed', () => {
      const { policy: p } = policy('BATCH');
      p.recordProcessed([rec('t', 0, 10), rec('t', 0, 3)]);
      expect(p.batchDone()).toEqual([at('t', 0, 11)]);
    });

    it('does not commit a record the listener failed on (it is never reported processed)', () => {
      const { policy: p } = policy('BATCH');
      p.recordProcessed(rec('t', 0, 1));
      // The listener threw on offset 2; the error handler seeks back to it.
      expect(p.batchDone()).toEqual([at('t', 0, 2)]);
    });
  });

  describe('TIME', () => {
    it('commits at the end of a poll once more than ack-time has passed since the last commit', () => {
      const { policy: p, clock } = policy('TIME', { ackTimeMs: 1000 });
      runPoll(p, [rec('t', 0, 0)]);
      clock.advance(1000);
      expect(runPoll(p, [rec('t', 0, 1)]).atEnd).toEqual([]);
      clock.advance(1);
      expect(runPoll(p, [rec('t', 0, 2)]).atEnd).toEqual([at('t', 0, 3)]);
      // The window restarts at that commit.
      clock.advance(500);
      expect(runPoll(p, [rec('t', 0, 3)]).atEnd).toEqual([]);
      clock.advance(501);
      expect(p.batchDone()).toEqual([at('t', 0, 4)]);
    });

    it('commits on idle polls too, and restarts the window even when nothing was pending', () => {
      const { policy: p, clock } = policy('TIME', { ackTimeMs: 1000 });
      clock.advance(1001);
      expect(p.tick()).toEqual([]);
      p.recordProcessed(rec('t', 0, 7));
      clock.advance(999);
      expect(p.tick()).toEqual([]);
      clock.advance(2);
      expect(p.tick()).toEqual([at('t', 0, 8)]);
    });

    it('takes the time from the caller when given', () => {
      const { policy: p, clock } = policy('TIME', { ackTimeMs: 1000 });
      p.recordProcessed(rec('t', 0, 0));
      expect(p.tick(clock.now + 1001)).toEqual([at('t', 0, 1)]);
    });
  });

  describe('COUNT', () => {
    it('commits at the end of the poll in which ack-count records have been processed', () => {
      const { policy: p } = policy('COUNT', { ackCount: 3 });
      const first = runPoll(p, [rec('t', 0, 0), rec('t', 0, 1)]);
      expect([...first.perRecord.flat(), ...first.atEnd]).toEqual([]);
      const second = runPoll(p, [rec('t', 0, 2), rec('t', 0, 3)]);
      expect(second.perRecord.flat()).toEqual([]);
      expect(second.atEnd).toEqual([at('t', 0, 4)]);
      // The count starts again from zero.
      expect(runPoll(p, [rec('t', 0, 4), rec('t', 0, 5)]).atEnd).toEqual([]);
      expect(runPoll(p, [rec('t', 0, 6)]).atEnd).toEqual([at('t', 0, 7)]);
    });

    it('ignores time', () => {
      const { policy: p, clock } = policy('COUNT', { ackCount: 10, ackTimeMs: 1 });
      p.recordProcessed(rec('t', 0, 0));
      clock.advance(60_000);
      expect(p.tick()).toEqual([]);
    });
  });

  describe('COUNT_TIME', () => {
    it('commits when either the count is reached or the time has passed', () => {
      const { policy: p, clock } = policy('COUNT_TIME', { ackCount: 3, ackTimeMs: 1000 });
      expect(runPoll(p, [rec('t', 0, 0), rec('t', 0, 1), rec('t', 0, 2)]).atEnd).toEqual([at('t', 0, 3)]);
      expect(runPoll(p, [rec('t', 0, 3)]).atEnd).toEqual([]);
      clock.advance(1001);
      expect(p.tick()).toEqual([at('t', 0, 4)]);
      // A time commit also restarts the count.
      expect(runPoll(p, [rec('t', 0, 4), rec('t', 0, 5)]).atEnd).toEqual([]);
      expect(runPoll(p, [rec('t', 0, 6)]).atEnd).toEqual([at('t', 0, 7)]);
    });
  });

  describe('MANUAL', () => {
    it('queues acknowledgments and commits them at the end of the poll', () => {
      const { policy: p } = policy('MANUAL');
      const records = [rec('t', 0, 0), rec('t', 0, 1), rec('t', 1, 4)];
      p.recordDelivered(records);
      expect(records.map((r) => p.recordProcessed(r)).flat()).toEqual([]);
      expect(p.acknowledge(records)).toEqual([]);
      expect(p.batchDone()).toEqual([at('t', 0, 2), at('t', 1, 5)]);
      expect(p.batchDone()).toEqual([]);
    });

    it('commits nothing for records the listener did not acknowledge', () => {
      const { policy: p } = policy('MANUAL');
      p.recordDelivered([rec('t', 0, 0), rec('t', 0, 1)]);
      p.recordProcessed([rec('t', 0, 0), rec('t', 0, 1)]);
      expect(p.batchDone()).toEqual([]);
    });

    it('commits up to the highest acknowledged record, covering unacknowledged ones before it, as Spring does by default', () => {
      const { policy: p } = policy('MANUAL');
      p.recordDelivered([rec('t', 0, 10), rec('t', 0, 11), rec('t', 0, 12), rec('t', 0, 13)]);
      p.acknowledge(rec('t', 0, 12));
      expect(p.batchDone()).toEqual([at('t', 0, 13)]);
      // 10 and 11 were covered by that commit: acknowledging them now adds nothing.
      p.acknowledge([rec('t', 0, 10), rec('t', 0, 11)]);
      expect(p.tick()).toEqual([]);
      p.acknowledge(rec('t', 0, 13));
      expect(p.tick()).toEqual([at('t', 0, 14)]);
    });

    it('never moves a partition back when acknowledgments come out of order within one poll', () => {
      const { policy: p } = policy('MANUAL');
      p.recordDelivered([rec('t', 0, 0), rec('t', 0, 1), rec('t', 0, 2), rec('t', 1, 7)]);
      p.acknowledge([rec('t', 0, 2), rec('t', 0, 0)]);
      expect(p.batchDone()).toEqual([at('t', 0, 3)]);
    });

    it('with asyncAcks commits only the contiguous acknowledged prefix when acknowledgments come out of order', () => {
      const { policy: p } = policy('MANUAL', { asyncAcks: true });
      expect(p.asyncAcks).toBe(true);
      p.recordDelivered([rec('t', 0, 10), rec('t', 0, 11), rec('t', 0, 12), rec('t', 0, 13)]);
      p.acknowledge([rec('t', 0, 12), rec('t', 0, 10)]);
      expect(p.batchDone()).toEqual([at('t', 0, 11)]);
      p.acknowledge(rec('t', 0, 13));
      expect(p.tick()).toEqual([]);
      p.acknowledge(rec('t', 0, 11));
      expect(p.tick()).toEqual([at('t', 0, 14)]);
    });

    it.each([false, true])('steps over offset gaps (compaction, transaction markers) between delivered records (asyncAcks %s)', (asyncAcks) => {
      const { policy: p } = policy('MANUAL', { asyncAcks });
      p.recordDelivered([rec('t', 0, 3), rec('t', 0, 7), rec('t', 0, 20)]);
      p.acknowledge([rec('t', 0, 20), rec('t', 0, 7), rec('t', 0, 3)]);
      expect(p.batchDone()).toEqual([at('t', 0, 21)]);
    });

    it('ignores duplicate acknowledgments and acknowledgments of records never delivered', () => {
      const { policy: p } = policy('MANUAL');
      p.recordDelivered(rec('t', 0, 0));
      p.acknowledge([rec('t', 0, 0), rec('t', 0, 0), rec('t', 0, 99), rec('x', 3, 0)]);
      expect(p.batchDone()).toEqual([at('t', 0, 1)]);
      p.acknowledge(rec('t', 0, 0));
      expect(p.batchDone()).toEqual([]);
    });

    it.each([false, true])('forgets acknowledgment slots of records re-seeked for redelivery (nack, asyncAcks %s)', (asyncAcks) => {
      const { policy: p } = policy('MANUAL', { asyncAcks });
      p.recordDelivered([rec('t', 0, 0), rec('t', 0, 1), rec('t', 0, 2)]);
      p.acknowledge([rec('t', 0, 0), rec('t', 0, 2)]);
      p.rewind({ topic: 't', partition: 0 }, 1);
      expect(p.batchDone()).toEqual([at('t', 0, 1)]);
      // Redelivered from 1: the earlier acknowledgment of 2 no longer counts.
      p.recordDelivered([rec('t', 0, 1), rec('t', 0, 2)]);
      p.acknowledge(rec('t', 0, 1));
      expect(p.batchDone()).toEqual([at('t', 0, 2)]);
    });

    it.each([false, true])('treats delivering an offset again as a re-seek to it (asyncAcks %s)', (asyncAcks) => {
      const { policy: p } = policy('MANUAL', { asyncAcks });
      p.recordDelivered([rec('t', 0, 5), rec('t', 0, 6)]);
      p.acknowledge(rec('t', 0, 6));
      p.recordDelivered(rec('t', 0, 6));
      p.acknowledge(rec('t', 0, 5));
      expect(p.batchDone()).toEqual([at('t', 0, 6)]);
    });

    it.each([false, true])('keeps its memory bounded over a long run of acknowledged records (asyncAcks %s)', (asyncAcks) => {
      const { policy: p } = policy('MANUAL', { asyncAcks });
      for (let offset = 0; offset < 10_000; offset++) {
        p.recordDelivered(rec('t', 0, offset));
        // Without asyncAcks every other acknowledgment is enough to move on.
        if (asyncAcks || offset % 2 === 1) p.acknowledge(rec('t', 0, offset));
        if (offset % 100 === 99) expect(p.batchDone()).toEqual([at('t', 0, offset + 1)]);
      }
      const window = (p as unknown as { windows: Map<string, { offsets: number[] }> }).windows.values().next().value!;
      expect(window.offsets.length).toBeLessThan(200);
    });
  });

  describe('MANUAL_IMMEDIATE', () => {
    it('commits as soon as a record is acknowledged', () => {
      const { policy: p } = policy('MANUAL_IMMEDIATE');
      p.recordDelivered([rec('t', 0, 0), rec('t', 0, 1)]);
      expect(p.acknowledge(rec('t', 0, 0))).toEqual([at('t', 0, 1)]);
      expect(p.recordProcessed(rec('t', 0, 0))).toEqual([]);
      expect(p.acknowledge(rec('t', 0, 1))).toEqual([at('t', 0, 2)]);
      expect(p.batchDone()).toEqual([]);
    });

    it('commits through an acknowledged record at once, even with earlier ones unacknowledged', () => {
      const { policy: p } = policy('MANUAL_IMMEDIATE');
      p.recordDelivered([rec('t', 0, 0), rec('t', 0, 1), rec('t', 0, 2), rec('t', 0, 3)]);
      expect(p.acknowledge(rec('t', 0, 2))).toEqual([at('t', 0, 3)]);
      // Covered already; never committed backwards.
      expect(p.acknowledge(rec('t', 0, 1))).toEqual([]);
      expect(p.acknowledge(rec('t', 0, 3))).toEqual([at('t', 0, 4)]);
    });

    it('with asyncAcks holds an out-of-order acknowledgment until the gap before it is acknowledged', () => {
      const { policy: p } = policy('MANUAL_IMMEDIATE', { asyncAcks: true });
      p.recordDelivered([rec('t', 0, 0), rec('t', 0, 1), rec('t', 0, 2)]);
      expect(p.acknowledge(rec('t', 0, 2))).toEqual([]);
      expect(p.acknowledge(rec('t', 0, 1))).toEqual([]);
      expect(p.acknowledge(rec('t', 0, 0))).toEqual([at('t', 0, 3)]);
    });

    it("commits a batch listener's acknowledgment once, one offset per partition", () => {
      const { policy: p } = policy('MANUAL_IMMEDIATE');
      const batch = [rec('t', 0, 0), rec('t', 1, 0), rec('t', 0, 1), rec('t', 1, 1), rec('t', 1, 2)];
      p.recordDelivered(batch);
      expect(p.acknowledge(batch)).toEqual([at('t', 0, 2), at('t', 1, 3)]);
    });
  });

  it('refuses acknowledge() outside the manual ack modes', () => {
    const { policy: p } = policy('BATCH');
    expect(() => p.acknowledge(rec('t', 0, 0))).toThrow('acknowledge() needs ack-mode MANUAL or MANUAL_IMMEDIATE; the ack mode is BATCH');
  });

  describe('rebalances and shutdown', () => {
    it('hands over what may be committed for revoked partitions, and only for them', () => {
      const { policy: p } = policy('COUNT', { ackCount: 100 });
      p.recordProcessed([rec('t', 0, 4), rec('t', 1, 8)]);
      expect(p.revoke([{ topic: 't', partition: 1 }])).toEqual([at('t', 1, 9)]);
      expect(p.flush()).toEqual([at('t', 0, 5)]);
    });

    it('commits what was acknowledged of revoked partitions under manual modes', () => {
      const { policy: p } = policy('MANUAL');
      p.recordDelivered([rec('t', 0, 0), rec('t', 0, 1), rec('t', 0, 2), rec('t', 1, 0)]);
      p.acknowledge(rec('t', 0, 1));
      expect(p.revoke([{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }])).toEqual([at('t', 0, 2)]);
      p.acknowledge(rec('t', 0, 2));
      expect(p.batchDone()).toEqual([]);
    });

    it('commits the acknowledged prefix of revoked partitions with asyncAcks', () => {
      const { policy: p } = policy('MANUAL', { asyncAcks: true });
      p.recordDelivered([rec('t', 0, 0), rec('t', 0, 1), rec('t', 0, 2)]);
      p.acknowledge([rec('t', 0, 0), rec('t', 0, 2)]);
      expect(p.revoke([{ topic: 't', partition: 0 }])).toEqual([at('t', 0, 1)]);
      // Gone: a late acknowledgment for the revoked partition changes nothing.
      p.acknowledge(rec('t', 0, 1));
      expect(p.batchDone()).toEqual([]);
    });

    it('drops lost partitions without committing them', () => {
      const { policy: p } = policy('BATCH');
      p.recordProcessed([rec('t', 0, 4), rec('t', 1, 8)]);
      p.forget([{ topic: 't', partition: 0 }]);
      expect(p.batchDone()).toEqual([at('t', 1, 9)]);
    });

    it('flushes everything pending when the container stops, whatever the mode', () => {
      const { policy: time } = policy('TIME', { ackTimeMs: 60_000 });
      time.recordProcessed(rec('t', 0, 3));
      expect(time.batchDone()).toEqual([]);
      expect(time.flush()).toEqual([at('t', 0, 4)]);
      expect(time.flush()).toEqual([]);

      const { policy: manual } = policy('MANUAL');
      manual.recordDelivered(rec('t', 0, 3));
      manual.acknowledge(rec('t', 0, 3));
      expect(manual.flush()).toEqual([at('t', 0, 4)]);
    });
  });
});
