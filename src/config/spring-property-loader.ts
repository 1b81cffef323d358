import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { loadAll } from 'js-yaml';
import { ConfigError } from './config-error';
import { PlaceholderError, resolvePlaceholders } from './placeholder-resolver';
import { canonicalKey, editDistance, environmentNames, mapEntryFromEnvironment } from './relaxed-names';

/**
 * Spring Boot's property sources, lowest precedence first:
 *
 *   1. the config file (application.yml, or --config FILE)
 *   2. {stem}-{profile}.yml beside it, for each active profile in order
 *   3. environment variables, for known keys only (as Spring binds them)
 *   4. --set key=value
 *
 * Everything is flattened to dotted keys (nested maps and dotted names are the same
 * key) and compared in canonical form (see relaxed-names.ts). Placeholders resolve
 * lazily, on `get`, so a broken placeholder in a key nobody reads does not stop the
 * process — Spring behaves the same way.
 */

/** A value as a source gave it: YAML scalars and sequences, or strings from env and --set. */
export type RawValue = string | number | boolean | null | readonly unknown[];

export interface PropertyEntry {
  /** The key as written in its source (or the documented name, for env variables). */
  readonly name: string;
  readonly value: RawValue;
  /** `application.yml`, `application-dev.yml`, `env LOG_DIRS`, `--set`. */
  readonly source: string;
}

export interface PropertyLoadOptions {
  /** An explicit config file: it must exist. Without it, `application.yml` in cwd is read if present. */
  readonly configFile?: string;
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Raw `key=value` strings from `--set`, in command-line order. */
  readonly sets?: readonly string[];
  /** Documented names of every key the schemas bind; environment variables are matched against these. */
  readonly knownKeys: readonly string[];
  /** Keys whose children pass through as a map (`kafka.producer.properties`). */
  readonly mapPrefixes?: readonly string[];
  /** Our own namespaces (`kafka`, `server`, `admin`): unknown keys there get a warning. */
  readonly ownNamespaces?: readonly string[];
}

export interface LoadedProperties {
  readonly properties: PropertySet;
  readonly profiles: readonly string[];
  /** Files actually read, in precedence order. */
  readonly files: readonly string[];
  /** Non-fatal findings (unknown keys, missing profile files) for the CLI to print. */
  readonly warnings: readonly string[];
}

export const PROFILES_KEY = 'kafkanest.profiles.active';
const PROFILES_ENV = 'KAFKANEST_PROFILES_ACTIVE';
const DEFAULT_CONFIG_FILE = 'application.yml';

export function loadSpringProperties(options: PropertyLoadOptions): LoadedProperties {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const entries = new Map<string, PropertyEntry>();
  const warnings: string[] = [];
  const files: string[] = [];

  const baseFile = options.configFile ? resolve(cwd, options.configFile) : join(cwd, DEFAULT_CONFIG_FILE);
  if (options.configFile && !existsSync(baseFile)) {
    throw new ConfigError('--config', options.configFile, 'file not found');
  }
  if (existsSync(baseFile)) {
    addAll(entries, readYamlFile(baseFile, '--config', options.configFile ?? DEFAULT_CONFIG_FILE));
    files.push(baseFile);
  }

  const setEntries = (options.sets ?? []).map(parseSet);
  const profiles = activeProfiles(setEntries, env, entries);
  for (const profile of profiles) {
    const file = profileFile(baseFile, profile);
    if (!existsSync(file)) {
      warnings.push(`profile ${profile} is active but ${basename(file)} does not exist`);
      continue;
    }
    addAll(entries, readYamlFile(file, PROFILES_KEY, profile));
    files.push(file);
  }

  addAll(entries, environmentEntries(env, options.knownKeys, options.mapPrefixes ?? []));
  addAll(entries, setEntries);

  warnings.push(...unknownKeyWarnings(entries, options));
  return { properties: new PropertySet(entries, env), profiles, files, warnings };
}

/** The merged properties, read by canonical key; string values come back with placeholders resolved. */
export class PropertySet {
  constructor(
    private readonly entries: ReadonlyMap<string, PropertyEntry>,
    private readonly env: Readonly<Record<string, string | undefined>>,
  ) {}

  get(key: string): PropertyEntry | undefined {
    const entry = this.entries.get(canonicalKey(key));
    return entry && this.resolved(entry);
  }

  /** Entries strictly below `prefix`, keyed by the rest of their name as written (map binding). */
  under(prefix: string): Map<string, PropertyEntry> {
    const canonicalPrefix = `${canonicalKey(prefix)}.`;
    const depth = prefix.split('.').length;
    const found = new Map<string, PropertyEntry>();
    for (const [key, entry] of this.entries) {
      if (!key.startsWith(canonicalPrefix)) continue;
      found.set(entry.name.split('.').slice(depth).join('.'), this.resolved(entry));
    }
    return found;
  }

  private resolved(entry: PropertyEntry): PropertyEntry {
    try {
      const value = Array.isArray(entry.value)
        ? entry.value.map((item: unknown) => (typeof item === 'string' ? this.resolve(item) : item))
        : typeof entry.value === 'string'
          ? this.resolve(entry.value)
          : entry.value;
      return value === entry.value ? entry : { ...entry, value };
    } catch (error) {
      if (error instanceof PlaceholderError) {
        throw new ConfigError(entry.name, displayValue(entry.value), error.message, entry.source);
      }
      throw error;
    }
  }

  private resolve(text: string): string {
    return resolvePlaceholders(text, (name) => {
      const direct = this.env[name];
      if (direct !== undefined) return direct;
      const entry = this.entries.get(canonicalKey(name));
      if (entry && entry.value !== null) return Array.isArray(entry.value) ? entry.value.join(',') : String(entry.value);
      for (const envName of environmentNames(name)) {
        if (this.env[envName] !== undefined) return this.env[envName];
      }
      return undefined;
    });
  }
}

/** How a raw value is shown in an error line: lists as the comma string one would type. */
export function displayValue(value: RawValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'object' ? JSON.stringify(item) : String(item))).join(',');
  return String(value);
}

function addAll(target: Map<string, PropertyEntry>, entries: Iterable<PropertyEntry>): void {
  for (const entry of entries) target.set(canonicalKey(entry.name), entry);
}

function readYamlFile(file: string, key: string, shownAs: string): PropertyEntry[] {
  const source = basename(file);
  let documents: unknown[];
  try {
    documents = loadAll(readFileSync(file, 'utf8'));
  } catch (error) {
    // js-yaml's message spans several lines (it quotes the snippet); keep the first.
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ConfigError(key, shownAs, `${source} is not valid YAML: ${reason}`);
  }
  if (documents.length > 1) {
    throw new ConfigError(key, shownAs, `${source} holds ${documents.length} YAML documents; use one file per profile`);
  }
  const root = documents[0] ?? {};
  if (root === null) return [];
  if (!isPlainObject(root)) throw new ConfigError(key, shownAs, `${source} must be a mapping of keys to values`);
  const entries: PropertyEntry[] = [];
  flatten(root, '', source, entries);
  return entries;
}

function flatten(node: Record<string, unknown>, prefix: string, source: string, out: PropertyEntry[]): void {
  for (const [key, value] of Object.entries(node)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (isPlainObject(value) && Object.keys(value).length > 0) flatten(value, name, source, out);
    else out.push({ name, value: isPlainObject(value) ? null : (value as RawValue), source });
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseSet(raw: string): PropertyEntry {
  const eq = raw.indexOf('=');
  if (eq <= 0) throw new ConfigError('--set', raw, 'expected key=value');
  return { name: raw.slice(0, eq).trim(), value: raw.slice(eq + 1), source: '--set' };
}

/** Spring's order for spring.profiles.active: command line, then environment, then the file itself. */
function activeProfiles(
  sets: readonly PropertyEntry[],
  env: Readonly<Record<string, string | undefined>>,
  fileEntries: ReadonlyMap<string, PropertyEntry>,
): string[] {
  const canonical = canonicalKey(PROFILES_KEY);
  const fromSet = [...sets].reverse().find((entry) => canonicalKey(entry.name) === canonical);
  const entry = fromSet ?? (env[PROFILES_ENV] !== undefined ? { name: PROFILES_KEY, value: env[PROFILES_ENV]!, source: `env ${PROFILES_ENV}` } : fileEntries.get(canonical));
  if (!entry || entry.value === null) return [];
  const names = (Array.isArray(entry.value) ? entry.value.map(String) : String(entry.value).split(','))
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  for (const name of names) {
    // The name becomes part of a file path: keep it to a plain file-name fragment.
    if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith('.')) {
      throw new ConfigError(PROFILES_KEY, displayValue(entry.value), 'profile names may hold only letters, digits, ".", "_" and "-"', entry.source);
    }
  }
  return [...new Set(names)];
}

function profileFile(baseFile: string, profile: string): string {
  const ext = extname(baseFile) || '.yml';
  return join(dirname(baseFile), `${basename(baseFile, extname(baseFile))}-${profile}${ext}`);
}

function environmentEntries(
  env: Readonly<Record<string, string | undefined>>,
  knownKeys: readonly string[],
  mapPrefixes: readonly string[],
): PropertyEntry[] {
  const entries: PropertyEntry[] = [];
  for (const key of knownKeys) {
    const envName = environmentNames(key).find((name) => env[name] !== undefined);
    if (envName) entries.push({ name: key, value: env[envName]!, source: `env ${envName}` });
  }
  for (const [envName, value] of Object.entries(env)) {
    if (value === undefined) continue;
    for (const prefix of mapPrefixes) {
      const entry = mapEntryFromEnvironment(envName, prefix);
      if (entry) entries.push({ name: `${prefix}.${entry}`, value, source: `env ${envName}` });
    }
  }
  return entries;
}

/**
 * Spring ignores keys nothing binds; so do we, except that a near miss of a known key
 * (edit distance <= 2) or any unknown key in our own namespaces is almost always a typo
 * worth a warning. Unknown Kafka broker keys stay silent so a server.properties can be
 * carried over whole.
 */
function unknownKeyWarnings(entries: ReadonlyMap<string, PropertyEntry>, options: PropertyLoadOptions): string[] {
  const known = new Map(options.knownKeys.map((key) => [canonicalKey(key), key]));
  known.set(canonicalKey(PROFILES_KEY), PROFILES_KEY);
  const mapPrefixes = (options.mapPrefixes ?? []).map((prefix) => `${canonicalKey(prefix)}.`);
  const namespaces = (options.ownNamespaces ?? []).map((namespace) => `${canonicalKey(namespace)}.`);
  const warnings: string[] = [];
  for (const [key, entry] of entries) {
    if (known.has(key) || mapPrefixes.some((prefix) => key.startsWith(prefix))) continue;
    if (entry.value === null || entry.value === '') continue;
    let nearest: string | undefined;
    let best = 3;
    for (const [canonical, documented] of known) {
      const distance = editDistance(key, canonical);
      if (distance < best) {
        best = distance;
        nearest = documented;
      }
    }
    if (nearest) warnings.push(`unknown key ${entry.name} (from ${entry.source}) ignored; did you mean ${nearest}?`);
    else if (namespaces.some((namespace) => key.startsWith(namespace))) warnings.push(`unknown key ${entry.name} (from ${entry.source}) ignored`);
  }
  return warnings;
}
