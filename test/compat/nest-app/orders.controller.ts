// The service side of a plain Nest microservice on Transport.KAFKA: one event handler and
// one request-reply handler, written as any Nest app would write them. It keeps what it
// received so the suite can check it; nothing here knows about kafkanest.
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, MessagePattern, Payload } from '@nestjs/microservices';

export const ORDER_PLACED = 'nest-order-placed';

export interface OrderPlaced {
  orderId: string;
  items: string[];
  total: number;
}

export interface ReceivedOrder {
  order: OrderPlaced;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
}

@Controller()
export class OrdersController {
  readonly received: ReceivedOrder[] = [];
  readonly sums: number[][] = [];

  // The explicit <string> picks the plain-metadata overload; the typed-events overload
  // would demand `unknown` for every parameter after the payload.
  @EventPattern<string>(ORDER_PLACED)
  orderPlaced(@Payload() order: OrderPlaced, @Ctx() context: KafkaContext): void {
    const message = context.getMessage();
    this.received.push({
      order,
      topic: context.getTopic(),
      partition: context.getPartition(),
      offset: message.offset,
      key: message.key === null || message.key === undefined ? null : message.key.toString(),
    });
  }

  @MessagePattern('sum')
  sum(@Payload() numbers: number[]): number {
    this.sums.push(numbers);
    return numbers.reduce((total, n) => total + n, 0);
  }
}
