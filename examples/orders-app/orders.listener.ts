import { Injectable, Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { Ack, DltHeaders, Header, KafkaHeaders, KafkaListener, Key, Payload, type Acknowledgment } from 'kafkanest';
import { OrderBook } from './order-book';
import { OrderDto } from './order.dto';

/** What the warehouse holds; an order for anything else cannot be fulfilled. */
const STOCK: ReadonlyMap<string, number> = new Map([
  ['book', 100],
  ['pen', 500],
  ['lamp', 20],
]);

/** The record is not an order (another producer wrote it, or an older version of this app). */
export class InvalidOrderError extends Error {
  override readonly name = 'InvalidOrderError';
}

/** The warehouse cannot fulfil the order. */
export class OutOfStockError extends Error {
  override readonly name = 'OutOfStockError';
}

/**
 * Fulfils orders from the `orders` topic. A listener that throws gets the record again
 * (the error handler's back-off, configured in AppModule); once the retries are spent
 * the record goes to `orders.DLT` with Spring's kafka_dlt-* headers saying why, and the
 * listener moves on to the next order.
 */
@Injectable()
export class OrdersListener {
  private readonly logger = new Logger(OrdersListener.name);

  constructor(private readonly book: OrderBook) {}

  @KafkaListener({ id: 'orders', topics: ['orders'], groupId: 'orders-app' })
  fulfil(
    @Payload() value: unknown,
    @Header(KafkaHeaders.RECEIVED_PARTITION) partition: number,
    @Header(KafkaHeaders.OFFSET) offset: number,
    @Ack() ack: Acknowledgment,
  ): void {
    this.book.countDelivery('orders', partition, offset);
    const order = toOrder(value);
    const inStock = STOCK.get(order.item) ?? 0;
    if (order.quantity > inStock) throw new OutOfStockError(`order ${order.id}: ${order.quantity} x ${order.item} requested, ${inStock} in stock`);

    this.book.processed.push({ id: order.id, item: order.item, quantity: order.quantity, partition, offset });
    this.logger.log(`Fulfilled order ${order.id} (${order.quantity} x ${order.item})`);
    ack.acknowledge();
  }

  /** Reads what the dead-letter publisher wrote: the original record plus why it failed. */
  @KafkaListener({ id: 'orders-dlt', topics: ['orders.DLT'], groupId: 'orders-app-dlt' })
  collectDeadLetter(
    @Payload() value: unknown,
    @Key() key: string | null,
    @Header(DltHeaders.EXCEPTION_MESSAGE) exceptionMessage: Buffer,
    @Header(DltHeaders.ORIGINAL_TOPIC) originalTopic: Buffer,
    @Header(DltHeaders.ORIGINAL_PARTITION) originalPartition: Buffer,
    @Header(DltHeaders.ORIGINAL_OFFSET) originalOffset: Buffer,
    @Ack() ack: Acknowledgment,
  ): void {
    // Spring's encoding: text as UTF-8, the partition a 4-byte int, the offset an 8-byte long.
    const topic = originalTopic.toString('utf8');
    const partition = originalPartition.readInt32BE();
    const offset = Number(originalOffset.readBigInt64BE());
    this.book.deadLetters.push({
      key,
      value,
      exceptionMessage: exceptionMessage.toString('utf8'),
      originalTopic: topic,
      originalPartition: partition,
      originalOffset: offset,
      deliveries: this.book.deliveriesOf(topic, partition, offset),
    });
    this.logger.warn(`Dead letter from ${topic}-${partition}@${offset}: ${exceptionMessage.toString('utf8')}`);
    ack.acknowledge();
  }
}

/**
 * The HTTP API validates what it sends, but anyone may write to the topic, so the
 * listener checks each record against the same rules before trusting it.
 */
function toOrder(value: unknown): OrderDto {
  if (value === null || typeof value !== 'object') throw new InvalidOrderError(`not an order: ${JSON.stringify(value)}`);
  const order = plainToInstance(OrderDto, value);
  const problems = validateSync(order).flatMap((error) => Object.values(error.constraints ?? {}));
  if (problems.length > 0) throw new InvalidOrderError(`invalid order ${JSON.stringify(value)}: ${problems.join('; ')}`);
  return order;
}
