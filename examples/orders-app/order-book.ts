import { Injectable } from '@nestjs/common';
import type { OrderDto, PaymentDto } from './order.dto';

/** An order the listener accepted, and where it was read from. */
export interface ProcessedOrder extends OrderDto {
  readonly partition: number;
  readonly offset: number;
}

/** An order the listener gave up on, as read back from `orders.DLT`. */
export interface DeadLetter {
  readonly key: string | null;
  readonly value: unknown;
  /** Spring's kafka_dlt-exception-message header: why the last delivery failed. */
  readonly exceptionMessage: string;
  readonly originalTopic: string;
  readonly originalPartition: number;
  readonly originalOffset: number;
  /** How many times the orders listener was handed the record before it went to the dead-letter topic. */
  readonly deliveries: number;
}

export interface SettledPayment extends PaymentDto {
  readonly offset: number;
}

/**
 * What the listeners have done, kept in memory so the HTTP API can show it. A real
 * application would write to its database here.
 */
@Injectable()
export class OrderBook {
  readonly processed: ProcessedOrder[] = [];
  readonly deadLetters: DeadLetter[] = [];
  readonly settledPayments: SettledPayment[] = [];
  private readonly deliveries = new Map<string, number>();

  /** Counts a delivery of the record at this position (retries deliver the same one again). */
  countDelivery(topic: string, partition: number, offset: number): void {
    const key = `${topic}/${partition}/${offset}`;
    this.deliveries.set(key, (this.deliveries.get(key) ?? 0) + 1);
  }

  deliveriesOf(topic: string, partition: number, offset: number): number {
    return this.deliveries.get(`${topic}/${partition}/${offset}`) ?? 0;
  }
}
