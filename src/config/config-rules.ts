import { IsIn, Matches, Max, Min, ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * class-validator rules phrased the way the CLI prints them (`num.partitions=-3: must be
 * >= 1`): class-validator's own messages name the TypeScript property, which the user
 * never wrote.
 */
export const AtLeast = (min: number): PropertyDecorator => Min(min, { message: `must be >= ${min}` });

export const AtMost = (max: number): PropertyDecorator => Max(max, { message: `must be <= ${max}` });

export const Between = (min: number, max: number): PropertyDecorator => {
  const message = `must be between ${min} and ${max}`;
  return (target, property) => {
    Min(min, { message })(target, property);
    Max(max, { message })(target, property);
  };
};

export const OneOf = (values: readonly string[]): PropertyDecorator => IsIn([...values], { message: `must be one of ${values.join(', ')}` });

/** Every list item (or the single value) matches `pattern`; `description` completes "must be ...". */
export const Shaped = (pattern: RegExp, description: string, options: ValidationOptions = {}): PropertyDecorator =>
  Matches(pattern, { ...options, message: `must be ${description}` });

/** A list that must hold at least one item. */
export const NonEmptyList = (): PropertyDecorator =>
  ValidateBy({
    name: 'nonEmptyList',
    validator: { validate: (value) => Array.isArray(value) && value.length > 0, defaultMessage: () => 'must list at least one value' },
  });

/** A cross-key rule: this value must not exceed the one in `otherProperty` (documented as `otherKey`). */
export const NotAbove = (otherProperty: string, otherKey: string): PropertyDecorator =>
  ValidateBy({
    name: 'notAbove',
    constraints: [otherProperty],
    validator: {
      validate: (value, args) => {
        const other = (args?.object as Record<string, unknown>)[otherProperty];
        return typeof value !== 'number' || typeof other !== 'number' || value <= other;
      },
      defaultMessage: (args) => `must be <= ${otherKey} (${(args?.object as Record<string, unknown>)[otherProperty]})`,
    },
  });

/** A custom predicate with its rule text. */
export const Satisfies = (name: string, test: (value: unknown) => boolean, rule: string): PropertyDecorator =>
  ValidateBy({ name, validator: { validate: (value) => test(value), defaultMessage: () => rule } });
