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
