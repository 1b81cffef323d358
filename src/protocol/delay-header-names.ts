// The record headers that ask the broker to hold a record back (delayed messages); shared by
// the broker's produce path and the SDK's KafkaTemplate send options.

/** ASCII decimal level, 1..(number of the broker's delay.levels). */
export const DELAY_LEVEL_HEADER = 'x-delay-level';
/** ASCII decimal epoch milliseconds. */
export const DELIVER_AT_HEADER = 'x-deliver-at';
