import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ResetOffsetsDto } from './consumer-group.dto';
import { KafkaErrorView, ValidationErrorView } from '../http/error.views';
import { ConsumerGroupListingView, GroupDetails, ResetResult } from './consumer-group.views';
import { ConsumerGroupsService } from './consumer-groups.service';

@ApiTags('consumer-groups')
@Controller('api/consumer-groups')
export class ConsumerGroupsController {
  constructor(private readonly groups: ConsumerGroupsService) {}

  @Get()
  @ApiOkResponse({ type: [ConsumerGroupListingView], description: 'Every group of every coordinator, with its state' })
  list(): Promise<ConsumerGroupListingView[]> {
    return this.groups.list();
  }

  @Get(':group')
  @ApiOkResponse({ type: GroupDetails, description: 'State, members, and per partition: current offset, log end offset, lag, consumer id, host, client id' })
  @ApiNotFoundResponse({ type: KafkaErrorView, description: 'GROUP_ID_NOT_FOUND' })
  describe(@Param('group') group: string): Promise<GroupDetails> {
    return this.groups.describe(group);
  }

  @Post(':group/offsets')
  @HttpCode(HttpStatus.OK)
  @ApiBearerAuth()
  @ApiOkResponse({ type: ResetResult, description: 'The offsets now committed for the group' })
  @ApiBadRequestResponse({ type: ValidationErrorView, description: 'Field errors in the body' })
  @ApiNotFoundResponse({ type: KafkaErrorView, description: 'UNKNOWN_TOPIC_OR_PARTITION, or GROUP_ID_NOT_FOUND when no topic is named and the group has no offsets' })
  @ApiConflictResponse({ type: KafkaErrorView, description: 'NON_EMPTY_GROUP: the group has members; stop its consumers first' })
  @ApiUnauthorizedResponse({ description: 'admin.token is set and the bearer token is missing or wrong' })
  resetOffsets(@Param('group') group: string, @Body() dto: ResetOffsetsDto): Promise<ResetResult> {
    return this.groups.resetOffsets(group, dto);
  }

  @Delete(':group')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiBearerAuth()
  @ApiNoContentResponse({ description: 'The group and its offsets are gone' })
  @ApiNotFoundResponse({ type: KafkaErrorView, description: 'GROUP_ID_NOT_FOUND' })
  @ApiConflictResponse({ type: KafkaErrorView, description: 'NON_EMPTY_GROUP' })
  @ApiUnauthorizedResponse({ description: 'admin.token is set and the bearer token is missing or wrong' })
  delete(@Param('group') group: string): Promise<void> {
    return this.groups.delete(group);
  }
}
