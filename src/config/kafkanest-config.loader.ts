import { AdminConfig } from './admin.config';
import { BrokerConfig } from './broker.config';
import { ClientConfig } from './client.config';
import { bindSchema } from './config-binder';
import { documentedKeys } from './config-key.decorator';
import { loadSpringProperties, type PropertyLoadOptions } from './spring-property-loader';

/** The whole validated configuration: one typed object per area. */
export interface KafkanestConfig {
  readonly broker: BrokerConfig;
  readonly client: ClientConfig;
  readonly admin: AdminConfig;
  readonly profiles: readonly string[];
  /** Config files read, in precedence order (absolute paths). */
  readonly files: readonly string[];
  readonly warnings: readonly string[];
}

export type KafkanestConfigOptions = Omit<PropertyLoadOptions, 'knownKeys' | 'mapPrefixes' | 'ownNamespaces'>;

/** The prefix each area is bound at; broker and admin keys are already fully qualified. */
const AREAS = [
  { type: BrokerConfig, prefix: '' },
  { type: AdminConfig, prefix: '' },
  { type: ClientConfig, prefix: 'kafka' },
] as const;

/** Every documented key and map prefix, for env-variable matching and typo hints. */
export function knownConfigKeys(): { keys: string[]; mapPrefixes: string[] } {
  const keys: string[] = [];
  const mapPrefixes: string[] = [];
  for (const area of AREAS) {
    const found = documentedKeys(area.type, area.prefix);
    keys.push(...found.keys);
    mapPrefixes.push(...found.mapPrefixes);
  }
  return { keys, mapPrefixes };
}

/** Reads every source, binds and validates. Throws ConfigError on the first bad value. */
export function loadKafkanestConfig(options: KafkanestConfigOptions = {}): KafkanestConfig {
  const { keys, mapPrefixes } = knownConfigKeys();
  const loaded = loadSpringProperties({ ...options, knownKeys: keys, mapPrefixes, ownNamespaces: ['kafka', 'server', 'admin', 'kafkanest'] });
  return {
    broker: bindSchema(BrokerConfig, '', loaded.properties),
    admin: bindSchema(AdminConfig, '', loaded.properties),
    client: bindSchema(ClientConfig, 'kafka', loaded.properties),
    profiles: loaded.profiles,
    files: loaded.files,
    warnings: loaded.warnings,
  };
}
