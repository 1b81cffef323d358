import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsStringMap, IsTopicName } from '../http/validators';

/** Kafka's bounds: partition counts and replication factors are int32 / int16 on the wire. */
const MAX_PARTITIONS = 2_147_483_647;
const MAX_REPLICATION_FACTOR = 32_767;

export class CreateTopicDto {
  @ApiProperty({ example: 'orders', description: "Kafka's rule: 1-249 of [a-zA-Z0-9._-], not '.' or '..'" })
  @IsTopicName()
  name!: string;

  @ApiPropertyOptional({ example: 3, description: "Defaults to the broker's num.partitions" })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PARTITIONS)
  partitions?: number;

  @ApiPropertyOptional({ example: 1, description: "Defaults to the broker's default.replication.factor" })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_REPLICATION_FACTOR)
  replicationFactor?: number;

  @ApiPropertyOptional({ example: { 'retention.ms': '86400000', 'cleanup.policy': 'delete' }, type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsStringMap()
  configs?: Record<string, string>;
}

export class CreatePartitionsDto {
  @ApiProperty({ example: 6, description: 'The new total number of partitions (Kafka only adds partitions)' })
  @IsInt()
  @Min(1)
  @Max(MAX_PARTITIONS)
  count!: number;
}
