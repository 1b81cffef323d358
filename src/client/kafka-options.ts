import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency } from '@nestjs/common';
import { ClientConfig } from '../config/client.config';
import { bindSchema } from '../config/config-binder';
import { ConfigError } from '../config/config-error';
import { documentedKeys } from '../config/config-key.decorator';
import { loadSpringProperties } from '../config/spring-property-loader';
import { ClientConfigError } from './errors';
import type { KafkaTemplateOptions } from './kafka-template';
import type { KafkaListenerContainerOptions } from './listener/container-options';

/** Options of KafkaModule.forRoot; none are needed when application.yml holds `kafka.*`. */
export interface KafkaModuleOptions {
  /**
   * The config file to read instead of `application.yml` in the working directory
   * (which is read when present); it must exist. Profile files
   * (`{stem}-{profile}.yml`) are looked for beside it.
   */
  readonly config?: string;
  /**
   * Overrides with the highest precedence (above environment variables), as Spring's
   * test properties: dotted keys (`{ 'kafka.bootstrap-servers': 'host:9092' }`), nested
   * maps (`{ kafka: { producer: { acks: 1 } } }`) or both. Lists may be arrays.
   */
  readonly properties?: Readonly<Record<string, unknown>>;
  /** A configuration built in code: used as is, nothing is read from files or the environment. */
  readonly clientConfig?: ClientConfig;
  /** Where `application.yml` is looked for (the process's working directory by default). */
  readonly cwd?: string;
  /** The environment to read `KAFKA_*` and `KAFKANEST_PROFILES_ACTIVE` from (process.env by default). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The KafkaTemplate's own settings: custom serializers, a default topic, its producer factory. */
  readonly template?: KafkaTemplateOptions<any, any>;
  /** Settings of the @KafkaListener containers: error handling (back-off, dead letters), commits, shutdown. */
  readonly listener?: KafkaListenerContainerOptions;
}

/** KafkaModule.forRootAsync: the options come from a factory that may use other providers. */
export interface KafkaModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  readonly inject?: Array<InjectionToken | OptionalFactoryDependency>;
  readonly useFactory: (...args: any[]) => KafkaModuleOptions | Promise<KafkaModuleOptions>;
}

/** Where errors in forRoot's `properties` are said to come from. */
const PROPERTIES_SOURCE = 'KafkaModule properties';
const SET_SOURCE = '--set';

export interface LoadedClientConfig {
  readonly config: ClientConfig;
  /** Unknown keys and missing profile files, worth a warning at start. */
  readonly warnings: readonly string[];
  readonly files: readonly string[];
}

/**
 * The `kafka.*` configuration as the broker's own loader reads it (src/config: Spring
 * Boot's precedence of application.yml, profile files, environment variables and
 * overrides; relaxed names; validation). Only the client area is bound, so an
 * application's file may carry keys of its own (`server.port`) without tripping the
 * broker's rules. Throws ConfigError (one line: `key=value: rule (from source)`).
 */
export function loadClientConfig(options: KafkaModuleOptions = {}): LoadedClientConfig {
  if (options.clientConfig !== undefined) {
    if (options.config !== undefined || options.properties !== undefined) {
      throw new ClientConfigError('KafkaModule options: give either clientConfig or config/properties, not both');
    }
    return { config: options.clientConfig, warnings: [], files: [] };
  }
  const { keys, mapPrefixes } = documentedKeys(ClientConfig, 'kafka');
  try {
    const loaded = loadSpringProperties({
      configFile: options.config,
      cwd: options.cwd,
      env: options.env,
      sets: overridesAsSets(options.properties ?? {}),
      knownKeys: keys,
      mapPrefixes,
      ownNamespaces: ['kafka'],
    });
    return {
      config: bindSchema(ClientConfig, 'kafka', loaded.properties),
      warnings: loaded.warnings.map((warning) => warning.replaceAll(`(from ${SET_SOURCE})`, `(from ${PROPERTIES_SOURCE})`)),
      files: loaded.files,
    };
  } catch (error) {
    // The loader knows overrides only as command-line --set flags; name them as the app gave them.
    if (error instanceof ConfigError && error.source === SET_SOURCE) throw new ConfigError(error.key, error.value, error.rule, PROPERTIES_SOURCE);
    throw error;
  }
}

/** Flattens overrides to `key=value` strings, the form the loader takes for its top layer. */
export function overridesAsSets(properties: Readonly<Record<string, unknown>>): string[] {
  const sets: string[] = [];
  const visit = (node: Readonly<Record<string, unknown>>, prefix: string): void => {
    for (const [name, value] of Object.entries(node)) {
      const key = prefix ? `${prefix}.${name}` : name;
      if (name.length === 0 || name.includes('=')) throw new ConfigError(key, String(value), 'a property name must be non-empty and hold no "="', PROPERTIES_SOURCE);
      if (value === undefined) continue;
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        visit(value as Record<string, unknown>, key);
      } else {
        sets.push(`${key}=${scalarText(key, value)}`);
      }
    }
  };
  visit(properties, '');
  return sets;
}

function scalarText(key: string, value: unknown): string {
  if (value === null) return '';
  if (Array.isArray(value)) return value.map((item) => scalarText(key, item)).join(',');
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  throw new ConfigError(key, String(value), `a property value must be text, a number, a boolean or a list of those, not a ${typeof value}`, PROPERTIES_SOURCE);
}
