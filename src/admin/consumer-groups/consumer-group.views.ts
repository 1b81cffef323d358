import { ApiProperty } from '@nestjs/swagger';

const STATES = ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'];

export class ConsumerGroupListingView {
  @ApiProperty({ example: 'billing' }) readonly groupId!: string;
  @ApiProperty({ enum: STATES }) readonly state!: string;
  @ApiProperty({ example: 'consumer', description: "'consumer' for Kafka consumers; '' for groups that only commit offsets" }) readonly protocolType!: string;
  @ApiProperty({ example: 0 }) readonly coordinatorId!: number;
}

export class TopicPartitionView {
  @ApiProperty({ example: 'orders' }) readonly topic!: string;
  @ApiProperty({ example: 0 }) readonly partition!: number;
}

export class GroupMemberView {
  @ApiProperty({ example: 'consumer-1-5f0c…' }) readonly memberId!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Static membership (group.instance.id)' }) readonly groupInstanceId!: string | null;
  @ApiProperty({ example: 'billing-service' }) readonly clientId!: string;
  @ApiProperty({ example: '/10.0.0.7' }) readonly host!: string;
  @ApiProperty({ type: [TopicPartitionView] }) readonly assignment!: readonly TopicPartitionView[];
}

/** One row of kafka-consumer-groups.sh --describe. */
export class GroupPartitionRow {
  @ApiProperty({ example: 'orders' }) readonly topic!: string;
  @ApiProperty({ example: 0 }) readonly partition!: number;
  @ApiProperty({ example: 1180, nullable: true, type: Number, description: "The committed offset; null when the group has none for the partition (the tool's '-')" })
  readonly currentOffset!: number | null;
  @ApiProperty({ example: 1200, nullable: true, type: Number, description: "The high watermark (the tool's LOG-END-OFFSET); null without a leader" })
  readonly logEndOffset!: number | null;
  @ApiProperty({ example: 20, nullable: true, type: Number }) readonly lag!: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'The member the partition is assigned to; null when none is' }) readonly consumerId!: string | null;
  @ApiProperty({ nullable: true, type: String }) readonly host!: string | null;
  @ApiProperty({ nullable: true, type: String }) readonly clientId!: string | null;
}

export class GroupDetails {
  @ApiProperty({ example: 'billing' }) readonly groupId!: string;
  @ApiProperty({ enum: STATES }) readonly state!: string;
  @ApiProperty({ example: 'consumer' }) readonly protocolType!: string;
  @ApiProperty({ example: 'range', description: 'The assignor the group chose' }) readonly protocol!: string;
  @ApiProperty({ example: 0 }) readonly coordinatorId!: number;
  @ApiProperty({ type: [GroupMemberView] }) readonly members!: readonly GroupMemberView[];
  @ApiProperty({ type: [GroupPartitionRow] }) readonly partitions!: readonly GroupPartitionRow[];
}

export class CommittedOffsetView extends TopicPartitionView {
  @ApiProperty({ example: 0 }) readonly offset!: number;
}

export class ResetResult {
  @ApiProperty({ example: 'billing' }) readonly groupId!: string;
  @ApiProperty({ type: [CommittedOffsetView] }) readonly offsets!: readonly CommittedOffsetView[];
}
