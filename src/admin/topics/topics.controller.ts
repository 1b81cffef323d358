import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { CreatePartitionsDto, CreateTopicDto } from './topic.dto';
import { KafkaErrorView, ValidationErrorView } from '../http/error.views';
import { TopicDetails, TopicSummary } from './topic.views';
import { TopicsService } from './topics.service';

@ApiTags('topics')
@Controller('api/topics')
export class TopicsController {
  constructor(private readonly topics: TopicsService) {}

  @Get()
  @ApiOkResponse({ type: [TopicSummary], description: 'Every topic (internal ones too) with its partition count and replication factor' })
  list(): Promise<TopicSummary[]> {
    return this.topics.list();
  }

  @Post()
  @ApiBearerAuth()
  @ApiCreatedResponse({ type: TopicDetails, description: 'The topic, created at the controller and described as GET /api/topics/{name} does' })
  @ApiBadRequestResponse({ type: ValidationErrorView, description: 'Invalid name, counts or configs (field errors, or the Kafka error name such as INVALID_REPLICATION_FACTOR)' })
  @ApiConflictResponse({ type: KafkaErrorView, description: 'TOPIC_ALREADY_EXISTS' })
  @ApiUnauthorizedResponse({ description: 'admin.token is set and the bearer token is missing or wrong' })
  create(@Body() dto: CreateTopicDto): Promise<TopicDetails> {
    return this.topics.create(dto);
  }

  @Get(':name')
  @ApiOkResponse({ type: TopicDetails, description: 'Configs, and per partition leader, replicas, ISR, log start and end offsets, high watermark and size on disk' })
  @ApiNotFoundResponse({ type: KafkaErrorView, description: 'UNKNOWN_TOPIC_OR_PARTITION' })
  describe(@Param('name') name: string): Promise<TopicDetails> {
    return this.topics.describe(name);
  }

  @Delete(':name')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiBearerAuth()
  @ApiNoContentResponse({ description: 'Deleted at the controller' })
  @ApiNotFoundResponse({ type: KafkaErrorView, description: 'UNKNOWN_TOPIC_OR_PARTITION' })
  @ApiUnauthorizedResponse({ description: 'admin.token is set and the bearer token is missing or wrong' })
  delete(@Param('name') name: string): Promise<void> {
    return this.topics.delete(name);
  }

  @Post(':name/partitions')
  @ApiBearerAuth()
  @ApiCreatedResponse({ type: TopicDetails, description: 'The topic with its new partitions' })
  @ApiBadRequestResponse({ type: KafkaErrorView, description: 'INVALID_PARTITIONS: the count is not larger than the current one' })
  @ApiNotFoundResponse({ type: KafkaErrorView, description: 'UNKNOWN_TOPIC_OR_PARTITION' })
  @ApiUnauthorizedResponse({ description: 'admin.token is set and the bearer token is missing or wrong' })
  addPartitions(@Param('name') name: string, @Body() dto: CreatePartitionsDto): Promise<TopicDetails> {
    return this.topics.addPartitions(name, dto);
  }
}
