import { validateSync } from 'class-validator';
import { ConfigError } from './config-error';
import { configKeysOf, configSectionsOf, joinKey, type ConfigKeyMetadata } from './config-key.decorator';
import { convertValue, ValueKindError } from './config-value-kinds';
import { displayValue, type PropertyEntry, type PropertySet } from './spring-property-loader';

/**
 * Binds merged properties onto a schema class: class initializers are the defaults,
 * each decorated property takes its key's value converted to its kind, then
 * class-validator checks the rules. The first failure becomes a ConfigError naming the
 * documented key, the value as the user gave it and where it came from.
 */
export function bindSchema<T extends object>(type: new () => T, prefix: string, properties: PropertySet): T {
  const instance = new type();
  const target = instance as Record<string, unknown>;
  const given = new Map<string, PropertyEntry>();

  for (const meta of configKeysOf(type)) {
    const key = joinKey(prefix, meta.key);
    if (meta.kind === 'map') {
      target[meta.property] = bindMap(properties.under(key));
      continue;
    }
    const entry = properties.get(key);
    // An empty value means "not set" for every kind, so `zookeeper.connect:` or
    // `LOG_FLUSH_INTERVAL_MS=` fall back to the default instead of failing to parse.
    if (!entry || entry.value === null || entry.value === '') continue;
    given.set(meta.property, entry);
    try {
      const value = convertValue(meta.kind, entry.value, meta.options);
      target[meta.property] = typeof value === 'string' && meta.options.enumCase ? enumConstant(value, meta.options.enumCase) : value;
    } catch (error) {
      if (error instanceof ValueKindError) throw failure(meta, key, entry.value, error.message, entry.source);
      throw error;
    }
  }

  for (const section of configSectionsOf(type)) {
    target[section.property] = bindSchema(section.type, joinKey(prefix, section.prefix), properties);
  }

  (instance as { applyDerivedDefaults?: () => void }).applyDerivedDefaults?.();

  const [problem] = validateSync(instance, { forbidUnknownValues: false });
  if (problem) {
    const meta = configKeysOf(type).find((candidate) => candidate.property === problem.property);
    const rule = Object.values(problem.constraints ?? {})[0] ?? 'is invalid';
    if (!meta) throw new ConfigError(joinKey(prefix, problem.property), displayValue(problem.value), rule);
    const entry = given.get(meta.property);
    throw failure(meta, joinKey(prefix, meta.key), entry ? entry.value : problem.value, rule, entry?.source);
  }
  return instance;
}

function bindMap(entries: Map<string, PropertyEntry>): Record<string, string> {
  const map: Record<string, string> = {};
  for (const [name, entry] of entries) {
    if (entry.value !== null) map[name] = displayValue(entry.value);
  }
  return map;
}

function enumConstant(value: string, style: 'upper' | 'lower'): string {
  const folded = value.trim().replace(/-/g, '_');
  return style === 'upper' ? folded.toUpperCase() : folded.toLowerCase();
}

function failure(meta: ConfigKeyMetadata, key: string, value: unknown, rule: string, source?: string): ConfigError {
  const shown = meta.options.sensitive ? '****' : displayValue(value as PropertyEntry['value']);
  return new ConfigError(key, shown, rule, source);
}
