/**
 * Kafka's `listeners` / `advertised.listeners` syntax: a comma-separated list of
 * `NAME://host:port`. An empty host or 0.0.0.0 binds every interface; IPv6 hosts
 * come in brackets (`PLAINTEXT://[::1]:9092`).
 */
export interface ListenerAddress {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

export function parseListeners(value: string | readonly string[]): ListenerAddress[] {
  const items = (typeof value === 'string' ? value.split(',') : value).map((s) => s.trim()).filter(Boolean);
  return items.map(parseListener);
}

export function parseListener(text: string): ListenerAddress {
  const match = /^([A-Za-z0-9_]+):\/\/(\[[^\]]*\]|[^:/]*):(\d+)$/.exec(text);
  if (!match) throw new Error(`'${text}' is not a listener (expected NAME://host:port)`);
  const port = Number(match[3]);
  if (port > 65535) throw new Error(`'${text}': port must be <= 65535`);
  const host = match[2].startsWith('[') ? match[2].slice(1, -1) : match[2];
  return { name: match[1].toUpperCase(), host, port };
}

export function formatListener(l: ListenerAddress): string {
  const host = l.host.includes(':') ? `[${l.host}]` : l.host;
  return `${l.name}://${host}:${l.port}`;
}
