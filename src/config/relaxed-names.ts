/**
 * Spring Boot's relaxed binding, reduced to one comparison form. A key is a list of
 * dot-separated segments; within a segment case, dashes and underscores carry no
 * meaning, so `bootstrap-servers`, `bootstrapServers` and `bootstrap_servers` are one
 * segment. Dots do carry meaning: `log.segment.bytes` and `log_segment_bytes` differ in
 * a file, exactly as in Spring; only environment variables turn underscores into dots.
 */
export function canonicalKey(key: string): string {
  return key
    .split('.')
    .map((segment) => segment.replace(/[-_]/g, '').toLowerCase())
    .join('.');
}

/**
 * The environment variable names that set `key`, most specific first. The first form
 * is the one the docs use (dots and dashes to underscores: `KAFKA_BOOTSTRAP_SERVERS`);
 * the second is Spring's own canonical form, which drops dashes
 * (`KAFKA_BOOTSTRAPSERVERS`), accepted so Spring habits carry over.
 */
export function environmentNames(key: string): string[] {
  const underscored = key.replace(/[.-]/g, '_').toUpperCase();
  const springStyle = key.replace(/-/g, '').replace(/\./g, '_').toUpperCase();
  return underscored === springStyle ? [underscored] : [underscored, springStyle];
}

/**
 * The key a map entry gets from an environment variable under a map prefix:
 * `KAFKA_PRODUCER_PROPERTIES_LINGER_MS` under `kafka.producer.properties` names the
 * Kafka property `linger.ms`. Kafka property names are lower-case and dotted, so
 * underscores become dots.
 */
export function mapEntryFromEnvironment(envName: string, prefix: string): string | undefined {
  const envPrefix = `${prefix.replace(/[.-]/g, '_').toUpperCase()}_`;
  if (!envName.startsWith(envPrefix) || envName.length === envPrefix.length) return undefined;
  return envName.slice(envPrefix.length).toLowerCase().replace(/_/g, '.');
}

/** Levenshtein distance, used only to suggest the known key behind a typo. */
export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j];
      previous[j] = Math.min(previous[j] + 1, previous[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length];
}
