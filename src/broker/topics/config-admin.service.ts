import { Inject, Injectable } from '@nestjs/common';
import { BrokerConfig } from '../../config/broker.config';
import { configKeysOf, type ConfigKeyMetadata } from '../../config/config-key.decorator';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { errorCodeOf, KafkaError } from '../../protocol/errors/kafka-error';
import { TopicConfigsAccessor } from '../../zk/accessors';
import { METADATA_STORE, type MetadataStore } from '../../zk/metadata-store';
import { MetadataCache } from '../metadata/metadata-cache.service';
import { ConfigSource, ConfigType, TOPIC_CONFIGS, topicConfigDefinition, type TopicConfigDefinition } from './topic-config-definitions';
import { checkTopicConfigs, validateTopicConfigs } from './topic-config-validator';
import { invalidTopicNameReason } from './topic-name';

/** ConfigResource.Type codes. */
export const ResourceType = { Topic: 2, Broker: 4, BrokerLogger: 8 } as const;

/** AlterConfigOp.OpType codes. */
export const AlterOp = { Set: 0, Delete: 1, Append: 2, Subtract: 3 } as const;

/** How long an alter waits for this broker's cache to show the new overrides (read-your-writes). */
const CONFIG_VISIBLE_TIMEOUT_MS = 5_000;

export interface DescribedConfig {
  name: string;
  value: string | null;
  readOnly: boolean;
  source: ConfigSource;
  isSensitive: boolean;
  synonyms: { name: string; value: string | null; source: ConfigSource }[];
  configType: ConfigType | 0;
  documentation: string | null;
}

export interface ResourceOutcome {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

export interface DescribedResource extends ResourceOutcome {
  configs: DescribedConfig[];
}

export interface ResourceRef {
  readonly resourceType: number;
  readonly resourceName: string;
}

export interface DescribeOptions {
  readonly includeSynonyms: boolean;
  readonly includeDocumentation: boolean;
}

export interface AlterResource extends ResourceRef {
  readonly configs: readonly { readonly name: string; readonly value: string | null }[];
}

export interface IncrementalAlterResource extends ResourceRef {
  readonly configs: readonly { readonly name: string; readonly configOperation: number; readonly value: string | null }[];
}

const BROKER_CONFIG_TYPES: Partial<Record<ConfigKeyMetadata['kind'], ConfigType>> = {
  int: ConfigType.Int,
  long: ConfigType.Long,
  boolean: ConfigType.Boolean,
  string: ConfigType.String,
  list: ConfigType.List,
  duration: ConfigType.Long,
  size: ConfigType.Long,
};

/**
 * DescribeConfigs, AlterConfigs and IncrementalAlterConfigs for topics (and describe for this
 * broker). Topic values are reported as Kafka reports them: an override is
 * DYNAMIC_TOPIC_CONFIG; otherwise the broker's value, STATIC_BROKER_CONFIG when the broker
 * config sets it to something other than Kafka's default, else DEFAULT_CONFIG; synonyms list
 * every level that has a value, highest precedence first. Overrides are stored at
 * /config/topics/{topic}; dynamic broker configs are not supported.
 */
@Injectable()
export class ConfigAdmin {
  private readonly topicConfigs: TopicConfigsAccessor;
  private readonly brokerDefaults: BrokerConfig;

  constructor(
    private readonly config: BrokerConfig,
    @Inject(METADATA_STORE) store: MetadataStore,
    private readonly cache: MetadataCache,
  ) {
    this.topicConfigs = new TopicConfigsAccessor(store);
    this.brokerDefaults = new BrokerConfig();
    this.brokerDefaults.applyDerivedDefaults();
  }

  // ---- describe ----

  describe(resources: readonly (ResourceRef & { configurationKeys: readonly string[] | null })[], options: DescribeOptions): DescribedResource[] {
    return resources.map((resource) => {
      const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
      try {
        const all = this.describeResource(resource, options);
        const keys = resource.configurationKeys ? new Set(resource.configurationKeys) : null;
        return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs: keys ? all.filter((c) => keys.has(c.name)) : all };
      } catch (err) {
        return { ...base, errorCode: errorCodeOf(err), errorMessage: messageOf(err), configs: [] };
      }
    });
  }

  /** Every topic config with its effective value, for CreateTopics v5+ and DescribeConfigs. */
  describeTopicConfigs(overrides: Readonly<Record<string, string>>, options: DescribeOptions): DescribedConfig[] {
    const out = TOPIC_CONFIGS.map((d) => this.describeTopicConfig(d, overrides[d.name], options));
    // Overrides written by other tools under keys we do not define are still shown.
    for (const [name, value] of Object.entries(overrides)) {
      if (topicConfigDefinition(name)) continue;
      out.push({
        name,
        value,
        readOnly: false,
        source: ConfigSource.DynamicTopic,
        isSensitive: false,
        synonyms: options.includeSynonyms ? [{ name, value, source: ConfigSource.DynamicTopic }] : [],
        configType: 0,
        documentation: null,
      });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private describeResource(resource: ResourceRef, options: DescribeOptions): DescribedConfig[] {
    switch (resource.resourceType) {
      case ResourceType.Topic:
        return this.describeTopicConfigs(this.existingTopic(resource.resourceName).configs, options);
      case ResourceType.Broker:
        this.checkBrokerName(resource.resourceName);
        // The cluster-wide default resource ("") holds dynamic defaults only: none here.
        return resource.resourceName === '' ? [] : this.describeBroker(options);
      default:
        throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unsupported resource type: ${resource.resourceType}`);
    }
  }

  private describeTopicConfig(d: TopicConfigDefinition, override: string | undefined, options: DescribeOptions): DescribedConfig {
    const brokerValue = d.brokerValue?.(this.config);
    const staticBroker = brokerValue !== undefined && brokerValue !== d.defaultValue ? brokerValue : undefined;
    const synonyms: DescribedConfig['synonyms'] = [];
    if (override !== undefined) synonyms.push({ name: d.name, value: override, source: ConfigSource.DynamicTopic });
    if (staticBroker !== undefined) synonyms.push({ name: d.brokerSynonym!, value: staticBroker, source: ConfigSource.StaticBroker });
    if (d.brokerSynonym) synonyms.push({ name: d.brokerSynonym, value: d.defaultValue, source: ConfigSource.Default });
    const value = override ?? staticBroker ?? d.defaultValue;
    const source = override !== undefined ? ConfigSource.DynamicTopic : staticBroker !== undefined ? ConfigSource.StaticBroker : ConfigSource.Default;
    return {
      name: d.name,
      value,
      readOnly: false,
      source,
      isSensitive: false,
      synonyms: options.includeSynonyms ? synonyms : [],
      configType: d.type,
      documentation: options.includeDocumentation ? d.documentation : null,
    };
  }

  private describeBroker(options: DescribeOptions): DescribedConfig[] {
    const out: DescribedConfig[] = [];
    for (const meta of configKeysOf(BrokerConfig)) {
      if (meta.kind === 'map') continue;
      const value = formatBrokerValue((this.config as unknown as Record<string, unknown>)[meta.property]);
      const fallback = formatBrokerValue((this.brokerDefaults as unknown as Record<string, unknown>)[meta.property]);
      const source = value !== fallback ? ConfigSource.StaticBroker : ConfigSource.Default;
      const sensitive = meta.options.sensitive === true;
      const shown = sensitive ? null : value;
      out.push({
        name: meta.key,
        value: shown,
        readOnly: true,
        source,
        isSensitive: sensitive,
        synonyms: options.includeSynonyms ? [{ name: meta.key, value: shown, source }] : [],
        configType: BROKER_CONFIG_TYPES[meta.kind] ?? 0,
        documentation: null,
      });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  // ---- alter ----

  /** AlterConfigs: each topic's override set is replaced by the given one. */
  async alter(resources: readonly AlterResource[], validateOnly: boolean): Promise<ResourceOutcome[]> {
    return this.perResource(resources, async (resource) => {
      if (resource.resourceType !== ResourceType.Topic) return this.refuseBroker(resource, resource.configs.map((c) => c.name));
      const topic = this.existingTopic(resource.resourceName);
      const next = validateTopicConfigs(resource.configs);
      if (!validateOnly) await this.write(topic.name, next);
    });
  }

  /** IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT applied to the current overrides. */
  async incrementalAlter(resources: readonly IncrementalAlterResource[], validateOnly: boolean): Promise<ResourceOutcome[]> {
    return this.perResource(resources, async (resource) => {
      const names = resource.configs.map((c) => c.name);
      if (new Set(names).size !== names.length) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys');
      if (resource.resourceType !== ResourceType.Topic) return this.refuseBroker(resource, names);
      const topic = this.existingTopic(resource.resourceName);
      const next: Record<string, string> = { ...topic.configs };
      for (const op of resource.configs) applyOperation(next, op);
      checkTopicConfigs(next);
      if (!validateOnly) await this.write(topic.name, next);
    });
  }

  private async perResource<R extends ResourceRef>(resources: readonly R[], apply: (resource: R) => Promise<void>): Promise<ResourceOutcome[]> {
    const out: ResourceOutcome[] = [];
    for (const resource of resources) {
      const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
      try {
        await apply(resource);
        out.push({ ...base, errorCode: ErrorCode.NONE, errorMessage: null });
      } catch (err) {
        out.push({ ...base, errorCode: errorCodeOf(err), errorMessage: messageOf(err) });
      }
    }
    return out;
  }

  private refuseBroker(resource: ResourceRef, names: readonly string[]): void {
    if (resource.resourceType !== ResourceType.Broker) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unsupported resource type: ${resource.resourceType}`);
    this.checkBrokerName(resource.resourceName);
    if (names.length > 0) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Cannot update these configs dynamically: ${names.join(', ')}`);
  }

  private async write(topic: string, configs: Record<string, string>): Promise<void> {
    await this.topicConfigs.set(topic, configs);
    await this.cache.waitFor(() => sameRecord(this.cache.topic(topic)?.configs ?? {}, configs), CONFIG_VISIBLE_TIMEOUT_MS);
  }

  private existingTopic(name: string): { name: string; configs: Readonly<Record<string, string>> } {
    const invalid = invalidTopicNameReason(name);
    if (invalid) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, invalid);
    const topic = this.cache.topic(name);
    if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
    return topic;
  }

  private checkBrokerName(name: string): void {
    const id = String(this.cache.localBrokerId);
    if (name !== '' && name !== id) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${id} or empty string, but received ${name}`);
  }
}

function applyOperation(configs: Record<string, string>, op: { name: string; configOperation: number; value: string | null }): void {
  const definition = topicConfigDefinition(op.name);
  switch (op.configOperation) {
    case AlterOp.Set:
      if (op.value === null) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${op.name}`);
      configs[op.name] = op.value;
      return;
    case AlterOp.Delete:
      delete configs[op.name];
      return;
    case AlterOp.Append:
    case AlterOp.Subtract: {
      if (!definition) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${op.name}`);
      const verb = op.configOperation === AlterOp.Append ? 'append' : 'subtract';
      if (definition.type !== ConfigType.List) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Config value ${verb} is not allowed for config key: ${op.name}`);
      const current = splitList(configs[op.name] ?? definition.defaultValue);
      const given = splitList(op.value ?? '');
      const next = op.configOperation === AlterOp.Append ? [...current, ...given.filter((v) => !current.includes(v))] : current.filter((v) => !given.includes(v));
      configs[op.name] = next.join(',');
      return;
    }
    default:
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown alter config operation type: ${op.configOperation}`);
  }
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function formatBrokerValue(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

function sameRecord(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

function messageOf(err: unknown): string | null {
  return err instanceof Error ? err.message : String(err);
}
