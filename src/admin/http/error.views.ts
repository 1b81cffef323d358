import { ApiProperty } from '@nestjs/swagger';

/** A Kafka error turned into HTTP (KafkaErrorFilter). */
export class KafkaErrorView {
  @ApiProperty({ example: 409 }) readonly statusCode!: number;
  @ApiProperty({ example: 'TOPIC_ALREADY_EXISTS', description: 'The Kafka error name' }) readonly error!: string;
  @ApiProperty({ example: "orders: TOPIC_ALREADY_EXISTS (Topic 'orders' already exists.)" }) readonly message!: string;
}

/** A body or query that broke its DTO's rules (the validation pipe). */
export class ValidationErrorView {
  @ApiProperty({ example: 400 }) readonly statusCode!: number;
  @ApiProperty({ example: 'Bad Request' }) readonly error!: string;
  @ApiProperty({ type: [String], example: ['partitions must not be less than 1'] }) readonly message!: string[];
  @ApiProperty({ type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } }, example: { partitions: ['partitions must not be less than 1'] } })
  readonly fields!: Record<string, string[]>;
}
