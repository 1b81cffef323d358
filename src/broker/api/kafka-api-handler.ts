import type { ApiSpec, RequestOf, ResponseOf, VersionRange } from '../../protocol/codec/schema';
import type { ConnectionInfo } from '../network/kafka-connection';

/** What a handler knows about the request besides its body. */
export interface RequestContext {
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  readonly connection: ConnectionInfo;
}

/**
 * The handler of one Kafka API: decode is done for it, it checks, calls the service
 * that owns the state and returns the response body (null when the request expects
 * none, as Produce with acks=0). A fault with a known Kafka error code is thrown as
 * KafkaError; the router turns it into the response's top-level error code.
 */
export interface KafkaApiHandler<A extends ApiSpec<any, any> = ApiSpec<any, any>> {
  readonly api: A;
  /** The versions served: within the declaration's validVersions. */
  readonly versions: VersionRange;
  handle(request: RequestOf<A>, context: RequestContext): ResponseOf<A> | null | Promise<ResponseOf<A> | null>;
}
