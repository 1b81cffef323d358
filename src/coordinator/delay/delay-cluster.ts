/**
 * What the delay scheduler needs from the broker, and nothing more (the broker implements it
 * over its ReplicaManager and metadata; src/coordinator stays free of src/broker, as
 * CoordinatorCluster does for groups).
 */
export interface DelayCluster {
  /** This broker's replica of a delay topic's partition 0 while it leads it, else undefined. */
  ledQueue(topic: string): QueueReplica | undefined;
  /** The leader's broker id of a topic's partition 0, -1 when none or unknown. */
  leaderOf(topic: string): number;
  /** 0 when the topic does not exist. */
  partitionCount(topic: string): number;
  /** Appends one batch to a partition wherever its leader is, honouring acks. Never rejects. */
  produce(topic: string, partition: number, batch: Buffer, acks: number, timeoutMs: number): Promise<ProduceResult>;
  /** Creates the delay topics that do not exist yet (internal: one partition each). */
  ensureTopics(topics: readonly string[]): Promise<void>;
  /** Called after partitions or brokers changed; returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
}

export interface ProduceResult {
  readonly errorCode: number;
  readonly errorMessage?: string | null;
  readonly baseOffset: number;
}

/** The local leader replica of one delay queue. */
export interface QueueReplica {
  /** The epoch this broker leads in; a new epoch means a new scheduler. */
  readonly leaderEpoch: number;
  readonly isLeader: boolean;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  readonly highWatermark: number;
  /** Whole batches from the one holding `offset`, below `maxOffset` (exclusive); empty at the end. */
  read(offset: number, maxBytes: number, maxOffset: number): Buffer;
  /** Moves the log start to `offset` (at most the high watermark), as DeleteRecords does; followers follow. */
  deleteRecordsBefore(offset: number): void;
}

/** Resolves when partitions or brokers change, or after `pauseMs` (never past `deadline`). */
export function clusterChangeOrPause(cluster: DelayCluster, pauseMs: number, deadline: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, Math.min(pauseMs, deadline - Date.now())));
    const unsubscribe = cluster.onChange(done);
  });
}
