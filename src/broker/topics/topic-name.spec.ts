import { collidingTopics, invalidTopicNameReason, isInternalTopic, MAX_TOPIC_NAME_LENGTH } from './topic-name';

describe('topic names', () => {
  it('accepts ASCII alphanumerics, dot, underscore and dash up to 249 characters', () => {
    expect(invalidTopicNameReason('orders.v1_EU-2')).toBeNull();
    expect(invalidTopicNameReason('a'.repeat(MAX_TOPIC_NAME_LENGTH))).toBeNull();
    expect(invalidTopicNameReason('...')).toBeNull();
  });

  it.each([
    ['', 'Topic name is invalid: the empty string is not allowed'],
    ['.', "Topic name is invalid: '.' is not allowed"],
    ['..', "Topic name is invalid: '..' is not allowed"],
    ['a b', "Topic name is invalid: 'a b' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"],
    ['é', "Topic name is invalid: 'é' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"],
    ['a/b', "Topic name is invalid: 'a/b' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"],
  ])('rejects %j with Kafka\'s message', (name, message) => {
    expect(invalidTopicNameReason(name)).toBe(message);
  });

  it('rejects a 250-character name with the length message', () => {
    const name = 'x'.repeat(250);
    expect(invalidTopicNameReason(name)).toBe(`Topic name is invalid: the length of '${name}' is longer than the max allowed length 249`);
  });

  it('finds topics that differ only by . and _ as colliding, never the topic itself', () => {
    expect(collidingTopics('a.b', ['a_b', 'a.b', 'ab', 'a-b'])).toEqual(['a_b']);
    expect(collidingTopics('a_b.c', ['a.b_c', 'a.b.c'])).toEqual(['a.b_c', 'a.b.c']);
    expect(collidingTopics('plain', ['plain', 'pla_n'])).toEqual([]);
  });

  it('marks Kafka\'s own topics internal', () => {
    expect(isInternalTopic('__consumer_offsets')).toBe(true);
    expect(isInternalTopic('__transaction_state')).toBe(true);
    expect(isInternalTopic('orders')).toBe(false);
  });
});
