import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

/**
 * Kafka takes records up to message.max.bytes (1 MiB by default); sent as base64 in JSON
 * they need a third more. Express's JSON parser stops at 100 KB by default.
 */
export const JSON_BODY_LIMIT = '2mb';

interface BodyParserHost {
  useBodyParser?(type: 'json', rawBody: boolean, options: { limit: string }): unknown;
}

/**
 * Registers the JSON body parser with JSON_BODY_LIMIT. Nest adds its default parser at
 * init only when none is registered yet; providers are built before init, so this does
 * from inside the admin module what app.useBodyParser does in a bootstrap function.
 */
@Injectable()
export class JsonBodyLimit {
  constructor(adapterHost: HttpAdapterHost) {
    (adapterHost.httpAdapter as BodyParserHost | undefined)?.useBodyParser?.('json', false, { limit: JSON_BODY_LIMIT });
  }
}
