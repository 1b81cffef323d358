// Topic names, Kafka's rules (clients' Topic.validate): non-empty, at most 249 characters of
// [a-zA-Z0-9._-], not "." or "..". The length limit leaves room for a partition suffix in a
// 255-byte directory name. '.' and '_' are the same in metric names, so two topics that differ
// only there collide; Kafka refuses the second one.

export const MAX_TOPIC_NAME_LENGTH = 249;

/** Topics Kafka itself owns; Metadata marks them internal. */
export const INTERNAL_TOPICS: ReadonlySet<string> = new Set(['__consumer_offsets', '__transaction_state', '__share_group_state']);

const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** Kafka's message when `name` is invalid ("Topic name is invalid: ..."), null when it is valid. */
export function invalidTopicNameReason(name: string | null | undefined): string | null {
  let reason: string | null = null;
  if (name === null || name === undefined || name === '') reason = 'the empty string is not allowed';
  else if (name === '.') reason = "'.' is not allowed";
  else if (name === '..') reason = "'..' is not allowed";
  else if (name.length > MAX_TOPIC_NAME_LENGTH) reason = `the length of '${name}' is longer than the max allowed length ${MAX_TOPIC_NAME_LENGTH}`;
  else if (!LEGAL.test(name)) reason = `'${name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`;
  return reason === null ? null : `Topic name is invalid: ${reason}`;
}

export function isValidTopicName(name: string | null | undefined): name is string {
  return invalidTopicNameReason(name) === null;
}

/** The delayed-message queues (src/coordinator/delay): __delay_schedule and __delay_level_NN. */
const DELAY_TOPIC = /^__delay_(schedule|level_\d+)$/;

export function isInternalTopic(name: string): boolean {
  return name.startsWith('__') && (INTERNAL_TOPICS.has(name) || DELAY_TOPIC.test(name));
}

/** The form two names are compared in for a collision ('.' read as '_'). */
export function unifyCollisionChars(name: string): string {
  return name.replace(/\./g, '_');
}

/** Existing topics `name` collides with (equal after unifying '.' and '_', but not equal). */
export function collidingTopics(name: string, existing: Iterable<string>): string[] {
  if (!name.includes('.') && !name.includes('_')) return [];
  const unified = unifyCollisionChars(name);
  const out: string[] = [];
  for (const other of existing) if (other !== name && unifyCollisionChars(other) === unified) out.push(other);
  return out;
}
