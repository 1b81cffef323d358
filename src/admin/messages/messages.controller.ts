import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ProduceMessageDto, ReadMessagesQuery } from './message.dto';
import { KafkaErrorView, ValidationErrorView } from '../http/error.views';
import { MessagePage, ProducedMessage } from './message.views';
import { MessagesService } from './messages.service';

@ApiTags('messages')
@Controller('api/topics/:name/messages')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Get()
  @ApiOkResponse({ type: MessagePage, description: 'Up to `limit` records of one partition from an offset or a timestamp: key, value, headers, timestamp, offset' })
  @ApiBadRequestResponse({ type: ValidationErrorView, description: 'Field errors in the query' })
  @ApiNotFoundResponse({ type: KafkaErrorView, description: 'UNKNOWN_TOPIC_OR_PARTITION' })
  read(@Param('name') name: string, @Query() query: ReadMessagesQuery): Promise<MessagePage> {
    return this.messages.read(name, query);
  }

  @Post()
  @ApiBearerAuth()
  @ApiCreatedResponse({ type: ProducedMessage, description: 'Where the record was written (acks=all)' })
  @ApiBadRequestResponse({ type: ValidationErrorView, description: 'Field errors in the body' })
  @ApiNotFoundResponse({ type: KafkaErrorView, description: 'UNKNOWN_TOPIC_OR_PARTITION' })
  @ApiUnauthorizedResponse({ description: 'admin.token is set and the bearer token is missing or wrong' })
  produce(@Param('name') name: string, @Body() dto: ProduceMessageDto): Promise<ProducedMessage> {
    return this.messages.produce(name, dto);
  }
}
