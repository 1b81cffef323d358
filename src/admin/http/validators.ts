import { ValidateBy, type ValidationOptions } from 'class-validator';
import { invalidTopicNameReason } from '../../broker/topics/topic-name';

/** Kafka's topic name rule (the broker's own check, so the two never disagree). */
export function IsTopicName(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTopicName',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && invalidTopicNameReason(value) === null,
        defaultMessage: (args) => (typeof args?.value === 'string' ? invalidTopicNameReason(args.value) : null) ?? '$property must be a topic name (a string)',
      },
    },
    options,
  );
}

/** A plain object whose every value is a string (topic configs, Kafka's String→String maps). */
export function IsStringMap(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStringMap',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string'),
        defaultMessage: () => '$property must be an object of string values, e.g. {"retention.ms": "86400000"}',
      },
    },
    options,
  );
}

/** Refuses the property when `other` is given too (two ways to say where to start). */
export function IsAbsentWith(other: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isAbsentWith',
      constraints: [other],
      validator: {
        validate: (_value: unknown, args) => (args?.object as Record<string, unknown> | undefined)?.[other] === undefined,
        defaultMessage: () => `give either $property or ${other}, not both`,
      },
    },
    options,
  );
}

/** Refuses the property unless `other` is given too (it only means something together with it). */
export function RequiresAlso(other: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'requiresAlso',
      constraints: [other],
      validator: {
        validate: (_value: unknown, args) => (args?.object as Record<string, unknown> | undefined)?.[other] !== undefined,
        defaultMessage: () => `$property needs ${other}`,
      },
    },
    options,
  );
}

/** Standard or URL-safe base64, padded or not: what Buffer.from(text, 'base64') reads without silently dropping characters. */
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function isBase64(text: string): boolean {
  return BASE64.test(text) && text.replace(/=+$/, '').length % 4 !== 1;
}

/**
 * Refuses text that is not base64 when the object's `encodingProperty` says base64 (Node
 * would decode '@@@' to no bytes without a word). Takes a string, or an array of headers
 * whose `value`s are checked.
 */
export function IsBase64WhenEncoded(encodingProperty: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isBase64WhenEncoded',
      constraints: [encodingProperty],
      validator: {
        validate: (value: unknown, args) => {
          if ((args?.object as Record<string, unknown> | undefined)?.[encodingProperty] !== 'base64') return true;
          const texts = Array.isArray(value) ? value.map((h: unknown) => (h as { value?: unknown } | null)?.value) : [value];
          return texts.every((t) => typeof t !== 'string' || isBase64(t));
        },
        defaultMessage: (args) => `$property${Array.isArray(args?.value) ? "' values" : ''} must be base64 when ${encodingProperty} is base64`,
      },
    },
    options,
  );
}
