/**
 * A configuration value that cannot be used. The message is the single line the CLI
 * prints before exiting with code 2: `key=value: rule`, followed by where the value
 * came from when that is known, so a value inherited from a profile file or an
 * environment variable can be traced without reading every source.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    /** Canonical key as documented, e.g. `num.partitions` or `kafka.consumer.fetch-max-wait`. */
    readonly key: string,
    /** The offending value as the user wrote it (after placeholder resolution). */
    readonly value: string,
    /** What the value must satisfy, e.g. `must be >= 1`. */
    readonly rule: string,
    /** Where the value came from: a file name, `env NAME`, `--set`, or undefined for a default. */
    readonly source?: string,
  ) {
    super(`${key}=${value}: ${rule}${source ? ` (from ${source})` : ''}`);
  }
}
