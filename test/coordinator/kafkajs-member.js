// One kafkajs consumer-group member as its own process, so a suite can SIGKILL it like a
// crashed host (no LeaveGroup, no last commit) or SIGTERM it for a clean leave.
// Options come as one JSON argument (see MemberOptions in test/support/group-helpers.ts).
// Everything the parent needs is printed to stdout as one JSON line per fact, each with
// the wall-clock time `t` it happened at:
//   {"ev":"ready"}                          consumer.run() returned
//   {"ev":"join","generation","memberId","leaderId","isLeader","assignment":{topic:[p]}}
//   {"ev":"batch","topic","partition","offsets":[...],"values":[...]}   records processed
//   {"ev":"commit","generation","memberId","offsets":[{topic,partition,offset}]}  acknowledged
//   {"ev":"crash","error"}                  kafkajs gave up
//   {"ev":"stopped"}                        disconnected after SIGTERM (LeaveGroup sent)
// A batch line is printed after its records are processed and before they are committed,
// so a kill between the two leaves exactly the records after the last commit line to be
// processed again by whoever takes the partition over.
'use strict';

const { Kafka, logLevel } = require('kafkajs');

const options = JSON.parse(process.argv[2]);

function emit(event) {
  process.stdout.write(`${JSON.stringify({ t: Date.now(), ...event })}\n`);
}

// kafkajs's GROUP_JOIN event has the assignment but not the generation; the generation is
// in its debug line "Received assignment", logged during the same join just before it.
let generation = -1;
function logCreator() {
  return ({ log }) => {
    if (log.message === 'Received assignment') generation = log.generationId;
  };
}

const kafka = new Kafka({
  clientId: options.clientId ?? 'kafkanest-group-member',
  brokers: options.brokers,
  logLevel: logLevel.DEBUG,
  logCreator,
  retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
});

const consumer = kafka.consumer({
  groupId: options.groupId,
  sessionTimeout: options.sessionTimeout,
  rebalanceTimeout: options.rebalanceTimeout,
  heartbeatInterval: options.heartbeatInterval,
  // A short long-poll: kafkajs heartbeats between fetches, so an idle member still
  // notices a rebalance within about a heartbeat interval.
  maxWaitTimeInMs: 100,
  // kafkajs hands eachBatch everything a fetch returned for a partition; a small limit
  // keeps that to about one produced batch, so progress is reported (and committed) in steps.
  maxBytesPerPartition: options.maxBytesPerPartition ?? 1048576,
  retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
});

const { GROUP_JOIN, COMMIT_OFFSETS, CRASH } = consumer.events;
consumer.on(GROUP_JOIN, ({ payload }) =>
  emit({ ev: 'join', generation, memberId: payload.memberId, leaderId: payload.leaderId, isLeader: payload.isLeader, assignment: payload.memberAssignment }),
);
consumer.on(COMMIT_OFFSETS, ({ payload }) =>
  emit({
    ev: 'commit',
    generation: payload.groupGenerationId,
    memberId: payload.memberId,
    offsets: payload.topics.flatMap(({ topic, partitions }) => partitions.map(({ partition, offset }) => ({ topic, partition: Number(partition), offset: Number(offset) }))),
  }),
);
consumer.on(CRASH, ({ payload }) => emit({ ev: 'crash', error: String(payload.error && payload.error.message) }));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  await consumer.connect();
  await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning !== false });
  await consumer.run({
    autoCommitThreshold: 1,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat, isRunning, isStale }) => {
      if (batch.messages.length === 0 || !isRunning() || isStale()) return;
      emit({
        ev: 'batch',
        topic: batch.topic,
        partition: batch.partition,
        offsets: batch.messages.map((m) => Number(m.offset)),
        values: batch.messages.map((m) => (m.value === null ? null : m.value.toString())),
      });
      // The rest of the "work" on the batch, after its effect is out: it paces consumption
      // so a member can be killed mid-way, and most likely between processing and commit.
      if (options.batchDelayMs) await sleep(options.batchDelayMs);
      for (const message of batch.messages) resolveOffset(message.offset);
      // autoCommitThreshold 1 above: every processed batch is committed before the next one.
      await commitOffsetsIfNecessary();
      await heartbeat();
    },
  });
  emit({ ev: 'ready' });
}

process.once('SIGTERM', () => {
  consumer
    .disconnect()
    .then(() => emit({ ev: 'stopped' }))
    .finally(() => process.exit(0));
});

main().catch((err) => {
  emit({ ev: 'crash', error: String(err && err.message) });
  process.exit(1);
});
