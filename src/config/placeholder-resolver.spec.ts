import { PlaceholderError, resolvePlaceholders } from './placeholder-resolver';

const lookupIn = (values: Record<string, string>) => (name: string) => values[name];

describe('resolvePlaceholders', () => {
  it('replaces a placeholder with the looked-up value', () => {
    expect(resolvePlaceholders('dir=${HOME}/logs', lookupIn({ HOME: '/home/k' }))).toBe('dir=/home/k/logs');
  });

  it('uses the default when nothing defines the name', () => {
    expect(resolvePlaceholders('${PORT:8080}', lookupIn({}))).toBe('8080');
  });

  it('prefers a defined value over the default, even an empty one', () => {
    expect(resolvePlaceholders('${PORT:8080}', lookupIn({ PORT: '9000' }))).toBe('9000');
    expect(resolvePlaceholders('[${X:d}]', lookupIn({ X: '' }))).toBe('[]');
  });

  it('splits only at the first colon so defaults may hold host:port', () => {
    expect(resolvePlaceholders('${ZK:localhost:2181,other:2181}', lookupIn({}))).toBe('localhost:2181,other:2181');
  });

  it('resolves nested placeholders in defaults', () => {
    expect(resolvePlaceholders('${A:${B:fallback}}', lookupIn({}))).toBe('fallback');
    expect(resolvePlaceholders('${A:${B:fallback}}', lookupIn({ B: 'b' }))).toBe('b');
  });

  it('resolves placeholders inside looked-up values', () => {
    expect(resolvePlaceholders('${A}', lookupIn({ A: '${B}-a', B: 'b' }))).toBe('b-a');
  });

  it('reports a cycle instead of recursing forever', () => {
    expect(() => resolvePlaceholders('${A}', lookupIn({ A: '${B}', B: '${A}' }))).toThrow('circular placeholder reference A -> B -> A');
  });

  it('caps depth when relaxed spellings hide a cycle', () => {
    let n = 0;
    expect(() => resolvePlaceholders('${a}', () => `\${a${n++ % 2 ? '' : '-'}}`)).toThrow(PlaceholderError);
  });

  it('fails on an undefined name without a default', () => {
    expect(() => resolvePlaceholders('${NOPE}', lookupIn({}))).toThrow('unresolved placeholder ${NOPE}');
  });

  it('fails on an unclosed placeholder', () => {
    expect(() => resolvePlaceholders('${NOPE', lookupIn({}))).toThrow('unclosed placeholder');
  });

  it('keeps an escaped \\${ literally', () => {
    expect(resolvePlaceholders('\\${NOT_A_PLACEHOLDER}', lookupIn({}))).toBe('${NOT_A_PLACEHOLDER}');
  });
});
