/**
 * Kafka's listener syntax, `NAME://host:port`: NAME is a listener name (PLAINTEXT
 * unless a security protocol map says otherwise), host may be empty or `0.0.0.0` to
 * bind every interface, an IPv6 host is bracketed, and port 0 asks for a free port.
 */
export interface ListenerAddress {
  readonly name: string;
  /** Unbracketed; '' when the listener left it empty. */
  readonly host: string;
  readonly port: number;
}

const LISTENER = /^([A-Za-z][A-Za-z0-9_]*):\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]*):(\d{1,5})$/;

export const LISTENER_RULE = 'a list of NAME://host:port with distinct names and ports 0-65535';

export function parseListener(text: string): ListenerAddress | undefined {
  const match = LISTENER.exec(text.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  return { name: match[1].toUpperCase(), host: match[2].replace(/^\[(.*)\]$/, '$1'), port };
}

export function formatListener(listener: ListenerAddress): string {
  const host = listener.host.includes(':') ? `[${listener.host}]` : listener.host;
  return `${listener.name}://${host}:${listener.port}`;
}

export function isWildcardHost(host: string): boolean {
  return host === '' || host === '0.0.0.0' || host === '::';
}

/** True when every entry parses and no listener name repeats. */
export function isListenerList(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  const parsed = value.map((item) => (typeof item === 'string' ? parseListener(item) : undefined));
  if (parsed.some((listener) => listener === undefined)) return false;
  const names = parsed.map((listener) => listener!.name);
  return new Set(names).size === names.length;
}
