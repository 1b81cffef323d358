import { ApiProperty } from '@nestjs/swagger';

// What the topic endpoints answer, as classes so the OpenAPI document describes them.

export class TopicSummary {
  @ApiProperty({ example: 'orders' }) readonly name!: string;
  @ApiProperty({ example: 'wIJK2x1dT2G3Z2YyJ0r0uA' }) readonly topicId!: string;
  @ApiProperty() readonly internal!: boolean;
  @ApiProperty({ example: 3 }) readonly partitions!: number;
  @ApiProperty({ example: 1 }) readonly replicationFactor!: number;
  @ApiProperty({ example: 0, description: 'Partitions whose ISR is smaller than their replica set' }) readonly underReplicatedPartitions!: number;
}

export class TopicConfigView {
  @ApiProperty({ example: 'retention.ms' }) readonly name!: string;
  @ApiProperty({ example: '604800000', nullable: true, type: String }) readonly value!: string | null;
  @ApiProperty({ description: "false: set on the topic; true: the broker's default" }) readonly isDefault!: boolean;
  @ApiProperty() readonly isSensitive!: boolean;
  @ApiProperty() readonly readOnly!: boolean;
}

export class ReplicaLog {
  @ApiProperty({ example: 0 }) readonly brokerId!: number;
  @ApiProperty({ example: '/var/lib/kafkanest' }) readonly logDir!: string;
  @ApiProperty({ example: 1048576 }) readonly sizeBytes!: number;
}

export class PartitionDetails {
  @ApiProperty({ example: 0 }) readonly partition!: number;
  @ApiProperty({ example: 0, description: '-1 while the partition has no leader' }) readonly leader!: number;
  @ApiProperty({ example: 4 }) readonly leaderEpoch!: number;
  @ApiProperty({ type: [Number], example: [0, 1] }) readonly replicas!: readonly number[];
  @ApiProperty({ type: [Number], example: [0, 1] }) readonly isr!: readonly number[];
  @ApiProperty({ type: [Number], example: [] }) readonly offlineReplicas!: readonly number[];
  @ApiProperty({ example: 0, nullable: true, type: Number, description: 'The first offset a consumer can read; null without a leader' })
  readonly logStartOffset!: number | null;
  @ApiProperty({ example: 1200, nullable: true, type: Number, description: 'The offset after the last committed record: what consumers read up to; null without a leader' })
  readonly highWatermark!: number | null;
  @ApiProperty({ example: 1203, nullable: true, type: Number, description: "The offset after the last record in the leader's log, committed or not; null without a leader" })
  readonly logEndOffset!: number | null;
  @ApiProperty({ example: 1048576, nullable: true, type: Number, description: "Bytes on disk of the leader's replica; null when its broker did not answer" })
  readonly sizeBytes!: number | null;
  @ApiProperty({ type: [ReplicaLog], description: 'The log dir and size of every replica whose broker answered DescribeLogDirs' })
  readonly replicaLogs!: readonly ReplicaLog[];
}

export class TopicDetails {
  @ApiProperty({ example: 'orders' }) readonly name!: string;
  @ApiProperty({ example: 'wIJK2x1dT2G3Z2YyJ0r0uA' }) readonly topicId!: string;
  @ApiProperty() readonly internal!: boolean;
  @ApiProperty({ type: [TopicConfigView] }) readonly configs!: readonly TopicConfigView[];
  @ApiProperty({ type: [PartitionDetails] }) readonly partitions!: readonly PartitionDetails[];
}
