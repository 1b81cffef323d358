import type { ValueKind, ValueKindOptions } from './config-value-kinds';

/**
 * Ties a schema property to its configuration key. The key is relative to the
 * section the class is bound at (`acks` inside the `kafka.producer` section), written
 * in its documented spelling: Kafka's dotted names for broker keys, Spring's kebab-case
 * for `kafka.*` keys. Validation rules stay plain class-validator decorators beside it.
 */
export interface ConfigKeyOptions extends ValueKindOptions {
  /** Never echo the value (tokens, passwords): errors show `****`. */
  readonly sensitive?: boolean;
  /**
   * An enum value, compared as Spring compares enum constants: case, dashes and
   * underscores are folded to the constant's style before validation.
   */
  readonly enumCase?: 'upper' | 'lower';
}

export interface ConfigKeyMetadata {
  readonly property: string;
  readonly key: string;
  readonly kind: ValueKind;
  readonly options: ConfigKeyOptions;
}

export interface ConfigSectionMetadata {
  readonly property: string;
  readonly prefix: string;
  readonly type: new () => object;
}

const keysByClass = new WeakMap<object, ConfigKeyMetadata[]>();
const sectionsByClass = new WeakMap<object, ConfigSectionMetadata[]>();

export function ConfigKey(key: string, kind: ValueKind, options: ConfigKeyOptions = {}): PropertyDecorator {
  return (target, property) => {
    const list = keysByClass.get(target.constructor) ?? [];
    list.push({ property: String(property), key, kind, options });
    keysByClass.set(target.constructor, list);
  };
}

/** A nested group of keys bound under `prefix` (e.g. `producer` inside `kafka`). */
export function ConfigSection(prefix: string, type: new () => object): PropertyDecorator {
  return (target, property) => {
    const list = sectionsByClass.get(target.constructor) ?? [];
    list.push({ property: String(property), prefix, type });
    sectionsByClass.set(target.constructor, list);
  };
}

export function configKeysOf(type: object): readonly ConfigKeyMetadata[] {
  return keysByClass.get(type) ?? [];
}

export function configSectionsOf(type: object): readonly ConfigSectionMetadata[] {
  return sectionsByClass.get(type) ?? [];
}

/** Every documented key a schema binds, with `prefix` applied; map keys end at their prefix. */
export function documentedKeys(type: object, prefix = ''): { keys: string[]; mapPrefixes: string[] } {
  const keys: string[] = [];
  const mapPrefixes: string[] = [];
  for (const meta of configKeysOf(type)) (meta.kind === 'map' ? mapPrefixes : keys).push(joinKey(prefix, meta.key));
  for (const section of configSectionsOf(type)) {
    const nested = documentedKeys(section.type, joinKey(prefix, section.prefix));
    keys.push(...nested.keys);
    mapPrefixes.push(...nested.mapPrefixes);
  }
  return { keys, mapPrefixes };
}

export function joinKey(prefix: string, key: string): string {
  return prefix ? `${prefix}.${key}` : key;
}
