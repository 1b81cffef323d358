import { ClientConfigError } from '../../errors';
import { DEFAULT_ASSIGNMENT_STRATEGY, rebalanceProtocolOf, resolveAssignors } from './assignor-registry';

describe('assignor registry', () => {
  const names = (value?: string | readonly string[]) => resolveAssignors(value).map((a) => a.name);

  it("defaults to Java's range then cooperative-sticky, which rebalances eagerly", () => {
    expect(DEFAULT_ASSIGNMENT_STRATEGY).toEqual(['range', 'cooperative-sticky']);
    expect(names()).toEqual(['range', 'cooperative-sticky']);
    expect(rebalanceProtocolOf(resolveAssignors())).toBe('EAGER');
  });

  it('takes Java class names, with or without the package, and protocol names', () => {
    expect(names('org.apache.kafka.clients.consumer.CooperativeStickyAssignor, RoundRobinAssignor ,range')).toEqual(['cooperative-sticky', 'roundrobin', 'range']);
    expect(names(['roundrobin', 'roundrobin'])).toEqual(['roundrobin']);
  });

  it('rebalances cooperatively only when every assignor supports it', () => {
    expect(rebalanceProtocolOf(resolveAssignors('cooperative-sticky'))).toBe('COOPERATIVE');
    expect(rebalanceProtocolOf(resolveAssignors('cooperative-sticky,roundrobin'))).toBe('EAGER');
  });

  it('refuses unknown and empty strategies, naming the setting', () => {
    expect(() => resolveAssignors('org.apache.kafka.clients.consumer.StickyAssignor')).toThrow(ClientConfigError);
    expect(() => resolveAssignors('sticky')).toThrow(/partition\.assignment\.strategy: unknown assignor sticky/);
    expect(() => resolveAssignors(' , ')).toThrow(/partition\.assignment\.strategy is empty/);
  });
});
