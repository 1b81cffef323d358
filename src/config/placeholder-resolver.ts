/**
 * `${NAME}` and `${NAME:default}` placeholders, Spring's syntax. Defaults may hold
 * colons (`${ZK:localhost:2181}`) because only the first colon splits, and may nest
 * (`${A:${B:x}}`). A looked-up value is itself resolved, so chains work and cycles are
 * reported instead of recursing forever. `\${` stands for a literal `${`.
 */
const MAX_DEPTH = 32;

export class PlaceholderError extends Error {
  override readonly name = 'PlaceholderError';
}

/** Returns the raw (still unresolved) text for a name, or undefined when nothing defines it. */
export type PlaceholderLookup = (name: string) => string | undefined;

export function hasPlaceholder(text: string): boolean {
  return text.includes('${');
}

export function resolvePlaceholders(text: string, lookup: PlaceholderLookup, chain: readonly string[] = []): string {
  if (!hasPlaceholder(text)) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('\\${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (!text.startsWith('${', i)) {
      out += text[i++];
      continue;
    }
    const end = closingBrace(text, i + 2);
    if (end < 0) throw new PlaceholderError(`unclosed placeholder in "${text}"`);
    out += resolveOne(text.slice(i + 2, end), lookup, chain);
    i = end + 1;
  }
  return out;
}

function resolveOne(body: string, lookup: PlaceholderLookup, chain: readonly string[]): string {
  const colon = topLevelColon(body);
  const name = resolvePlaceholders(colon < 0 ? body : body.slice(0, colon), lookup, chain).trim();
  // Relaxed spellings of one key (`a.b-c`, `a.bC`) evade the name check below; the
  // depth cap still turns such a cycle into an error instead of a stack overflow.
  if (chain.length >= MAX_DEPTH) throw new PlaceholderError(`placeholders nested more than ${MAX_DEPTH} deep: ${chain.join(' -> ')}`);
  if (chain.includes(name)) {
    throw new PlaceholderError(`circular placeholder reference ${[...chain, name].join(' -> ')}`);
  }
  const found = lookup(name);
  if (found !== undefined) return resolvePlaceholders(found, lookup, [...chain, name]);
  if (colon >= 0) return resolvePlaceholders(body.slice(colon + 1), lookup, chain);
  throw new PlaceholderError(`unresolved placeholder \${${name}} (no environment variable or key of that name, and no default)`);
}

function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    if (text.startsWith('${', i)) {
      depth++;
      i++;
    } else if (text[i] === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

function topLevelColon(body: string): number {
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    if (body.startsWith('${', i)) {
      depth++;
      i++;
    } else if (body[i] === '}') depth--;
    else if (body[i] === ':' && depth === 0) return i;
  }
  return -1;
}
