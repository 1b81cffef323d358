import { Body, Controller, Get, Post } from '@nestjs/common';
import { KafkaTemplate } from 'kafkanest';
import { OrderBook, type DeadLetter, type ProcessedOrder, type SettledPayment } from './order-book';
import { OrderDto, PaymentDto } from './order.dto';

/** Where a record was written: what POST returns once the broker has it. */
export interface Placement {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

@Controller()
export class OrdersController {
  constructor(
    private readonly kafka: KafkaTemplate<string, OrderDto | PaymentDto>,
    private readonly book: OrderBook,
  ) {}

  /**
   * Accepts an order (the body is validated first: 400 with the field errors otherwise)
   * and answers once the broker has written it (acks=all). Keyed by the order id, so
   * every record of one order lands in one partition, in order.
   */
  @Post('orders')
  async placeOrder(@Body() order: OrderDto): Promise<Placement> {
    const { recordMetadata } = await this.kafka.send('orders', order.id, order);
    return { topic: recordMetadata.topic, partition: recordMetadata.partition, offset: recordMetadata.offset };
  }

  @Get('orders/processed')
  processed(): ProcessedOrder[] {
    return this.book.processed;
  }

  @Get('orders/dead-letters')
  deadLetters(): DeadLetter[] {
    return this.book.deadLetters;
  }

  /** Sends to kafka.template.default-topic (payments), keyed by the order it pays for. */
  @Post('payments')
  async pay(@Body() payment: PaymentDto): Promise<Placement> {
    const { recordMetadata } = await this.kafka.sendDefault(payment.orderId, payment);
    return { topic: recordMetadata.topic, partition: recordMetadata.partition, offset: recordMetadata.offset };
  }

  @Get('payments/settled')
  settled(): SettledPayment[] {
    return this.book.settledPayments;
  }
}
