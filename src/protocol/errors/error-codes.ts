/**
 * Every error code a Kafka 3.9 broker can return (Kafka's Errors.java), in one table:
 * code, name, whether a client may retry the request as is, and a short default
 * message. "Retriable" follows Kafka's exception hierarchy (RetriableException), which
 * is what clients act on: NOT_LEADER_OR_FOLLOWER makes them refresh metadata and
 * retry, TOPIC_AUTHORIZATION_FAILED makes them give up.
 */
const ROWS = [
  [-1, 'UNKNOWN_SERVER_ERROR', false, 'Unexpected server error.'],
  [0, 'NONE', false, ''],
  [1, 'OFFSET_OUT_OF_RANGE', false, 'Offset outside the range the partition holds.'],
  [2, 'CORRUPT_MESSAGE', true, 'Record batch failed its CRC, is oversized or otherwise corrupt.'],
  [3, 'UNKNOWN_TOPIC_OR_PARTITION', true, 'This broker does not host the topic-partition.'],
  [4, 'INVALID_FETCH_SIZE', false, 'Invalid fetch size.'],
  [5, 'LEADER_NOT_AVAILABLE', true, 'No leader for the partition right now (election under way).'],
  [6, 'NOT_LEADER_OR_FOLLOWER', true, 'This broker is not the leader (or not a replica) of the partition.'],
  [7, 'REQUEST_TIMED_OUT', true, 'Request timed out.'],
  [8, 'BROKER_NOT_AVAILABLE', false, 'Broker not available.'],
  [9, 'REPLICA_NOT_AVAILABLE', true, 'Replica not available for the partition.'],
  [10, 'MESSAGE_TOO_LARGE', false, 'Record batch larger than the maximum the server accepts.'],
  [11, 'STALE_CONTROLLER_EPOCH', false, 'The controller moved to another broker.'],
  [12, 'OFFSET_METADATA_TOO_LARGE', false, 'Offset commit metadata too large.'],
  [13, 'NETWORK_EXCEPTION', true, 'Connection closed before a response arrived.'],
  [14, 'COORDINATOR_LOAD_IN_PROGRESS', true, 'Coordinator still loading its state.'],
  [15, 'COORDINATOR_NOT_AVAILABLE', true, 'Coordinator not available.'],
  [16, 'NOT_COORDINATOR', true, 'This broker is not the coordinator for the group or transaction.'],
  [17, 'INVALID_TOPIC_EXCEPTION', false, 'Invalid topic for this operation.'],
  [18, 'RECORD_LIST_TOO_LARGE', false, 'Record batch larger than the segment size.'],
  [19, 'NOT_ENOUGH_REPLICAS', true, 'Fewer in-sync replicas than min.insync.replicas; not written.'],
  [20, 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', true, 'Written, but to fewer in-sync replicas than required.'],
  [21, 'INVALID_REQUIRED_ACKS', false, 'Invalid acks value.'],
  [22, 'ILLEGAL_GENERATION', false, 'Stale or invalid group generation.'],
  [23, 'INCONSISTENT_GROUP_PROTOCOL', false, 'Member protocols do not match the group, or none were given.'],
  [24, 'INVALID_GROUP_ID', false, 'Invalid group id.'],
  [25, 'UNKNOWN_MEMBER_ID', false, 'The coordinator does not know this member.'],
  [26, 'INVALID_SESSION_TIMEOUT', false, "Session timeout outside the broker's allowed range."],
  [27, 'REBALANCE_IN_PROGRESS', false, 'Group is rebalancing; rejoin.'],
  [28, 'INVALID_COMMIT_OFFSET_SIZE', false, 'Invalid offset commit size.'],
  [29, 'TOPIC_AUTHORIZATION_FAILED', false, 'Not authorized for the topic.'],
  [30, 'GROUP_AUTHORIZATION_FAILED', false, 'Not authorized for the group.'],
  [31, 'CLUSTER_AUTHORIZATION_FAILED', false, 'Not authorized for the cluster.'],
  [32, 'INVALID_TIMESTAMP', false, 'Record timestamp out of the accepted range.'],
  [33, 'UNSUPPORTED_SASL_MECHANISM', false, 'SASL mechanism not supported.'],
  [34, 'ILLEGAL_SASL_STATE', false, 'Request not valid in the current SASL state.'],
  [35, 'UNSUPPORTED_VERSION', false, 'API version not supported.'],
  [36, 'TOPIC_ALREADY_EXISTS', false, 'Topic already exists.'],
  [37, 'INVALID_PARTITIONS', false, 'Invalid number of partitions.'],
  [38, 'INVALID_REPLICATION_FACTOR', false, 'Invalid replication factor for the live brokers.'],
  [39, 'INVALID_REPLICA_ASSIGNMENT', false, 'Invalid replica assignment.'],
  [40, 'INVALID_CONFIG', false, 'Invalid configuration.'],
  [41, 'NOT_CONTROLLER', true, 'This broker is not the controller.'],
  [42, 'INVALID_REQUEST', false, 'Malformed request, or one this broker cannot handle.'],
  [43, 'UNSUPPORTED_FOR_MESSAGE_FORMAT', false, 'Not supported by the message format in use.'],
  [44, 'POLICY_VIOLATION', false, 'Request violates a configured policy.'],
  [45, 'OUT_OF_ORDER_SEQUENCE_NUMBER', false, 'Producer sequence number out of order.'],
  [46, 'DUPLICATE_SEQUENCE_NUMBER', false, 'Duplicate producer sequence number.'],
  [47, 'INVALID_PRODUCER_EPOCH', false, 'Producer epoch is stale.'],
  [48, 'INVALID_TXN_STATE', false, 'Transactional operation invalid in the current state.'],
  [49, 'INVALID_PRODUCER_ID_MAPPING', false, 'Producer id not assigned to this transactional id.'],
  [50, 'INVALID_TRANSACTION_TIMEOUT', false, 'Transaction timeout above transaction.max.timeout.ms.'],
  [51, 'CONCURRENT_TRANSACTIONS', true, 'Another operation on the transaction is in progress.'],
  [52, 'TRANSACTION_COORDINATOR_FENCED', false, 'Transaction coordinator is no longer current.'],
  [53, 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', false, 'Not authorized for the transactional id.'],
  [54, 'SECURITY_DISABLED', false, 'Security features are disabled.'],
  [55, 'OPERATION_NOT_ATTEMPTED', false, 'Not attempted because another part of the batch failed.'],
  [56, 'KAFKA_STORAGE_ERROR', true, 'Disk error accessing the log.'],
  [57, 'LOG_DIR_NOT_FOUND', false, 'Log directory not found in the broker config.'],
  [58, 'SASL_AUTHENTICATION_FAILED', false, 'SASL authentication failed.'],
  [59, 'UNKNOWN_PRODUCER_ID', false, 'No state for this producer id (its records may have expired).'],
  [60, 'REASSIGNMENT_IN_PROGRESS', false, 'Partition reassignment in progress.'],
  [61, 'DELEGATION_TOKEN_AUTH_DISABLED', false, 'Delegation tokens are disabled.'],
  [62, 'DELEGATION_TOKEN_NOT_FOUND', false, 'Delegation token not found.'],
  [63, 'DELEGATION_TOKEN_OWNER_MISMATCH', false, 'Principal is not the token owner or renewer.'],
  [64, 'DELEGATION_TOKEN_REQUEST_NOT_ALLOWED', false, 'Delegation token requests not allowed on this channel.'],
  [65, 'DELEGATION_TOKEN_AUTHORIZATION_FAILED', false, 'Not authorized for the delegation token.'],
  [66, 'DELEGATION_TOKEN_EXPIRED', false, 'Delegation token expired.'],
  [67, 'INVALID_PRINCIPAL_TYPE', false, 'Principal type not supported.'],
  [68, 'NON_EMPTY_GROUP', false, 'Group is not empty.'],
  [69, 'GROUP_ID_NOT_FOUND', false, 'Group id not found.'],
  [70, 'FETCH_SESSION_ID_NOT_FOUND', true, 'Fetch session not found.'],
  [71, 'INVALID_FETCH_SESSION_EPOCH', true, 'Invalid fetch session epoch.'],
  [72, 'LISTENER_NOT_FOUND', true, 'Leader has no listener matching this one.'],
  [73, 'TOPIC_DELETION_DISABLED', false, 'Topic deletion is disabled.'],
  [74, 'FENCED_LEADER_EPOCH', true, "Leader epoch older than the broker's."],
  [75, 'UNKNOWN_LEADER_EPOCH', true, "Leader epoch newer than the broker's."],
  [76, 'UNSUPPORTED_COMPRESSION_TYPE', false, "Client cannot read the partition's compression type."],
  [77, 'STALE_BROKER_EPOCH', false, 'Broker epoch changed.'],
  [78, 'OFFSET_NOT_AVAILABLE', true, 'High watermark not yet caught up after a leader change.'],
  [79, 'MEMBER_ID_REQUIRED', false, 'Member must rejoin with the member id it was given.'],
  [80, 'PREFERRED_LEADER_NOT_AVAILABLE', true, 'Preferred leader not available.'],
  [81, 'GROUP_MAX_SIZE_REACHED', false, 'Group reached its maximum size.'],
  [82, 'FENCED_INSTANCE_ID', false, 'Another member registered with this group.instance.id.'],
  [83, 'ELIGIBLE_LEADERS_NOT_AVAILABLE', true, 'No eligible leader for the partition.'],
  [84, 'ELECTION_NOT_NEEDED', true, 'Leader election not needed.'],
  [85, 'NO_REASSIGNMENT_IN_PROGRESS', false, 'No partition reassignment in progress.'],
  [86, 'GROUP_SUBSCRIBED_TO_TOPIC', false, 'Group still subscribed to the topic; offsets not deleted.'],
  [87, 'INVALID_RECORD', false, 'Record failed broker-side validation.'],
  [88, 'UNSTABLE_OFFSET_COMMIT', true, 'Unstable offsets pending; retry.'],
  [89, 'THROTTLING_QUOTA_EXCEEDED', true, 'Throttling quota exceeded.'],
  [90, 'PRODUCER_FENCED', false, 'A newer producer with the same transactional id exists.'],
  [91, 'RESOURCE_NOT_FOUND', false, 'Resource not found.'],
  [92, 'DUPLICATE_RESOURCE', false, 'Resource named twice in the request.'],
  [93, 'UNACCEPTABLE_CREDENTIAL', false, 'Credential not acceptable.'],
  [94, 'INCONSISTENT_VOTER_SET', false, 'Sender or receiver is not an expected voter.'],
  [95, 'INVALID_UPDATE_VERSION', false, 'Invalid update version.'],
  [96, 'FEATURE_UPDATE_FAILED', false, 'Finalized feature update failed.'],
  [97, 'PRINCIPAL_DESERIALIZATION_FAILURE', false, 'Principal could not be deserialized while forwarding.'],
  [98, 'SNAPSHOT_NOT_FOUND', false, 'Snapshot not found.'],
  [99, 'POSITION_OUT_OF_RANGE', false, 'Position outside the snapshot.'],
  [100, 'UNKNOWN_TOPIC_ID', true, 'This broker does not host the topic id.'],
  [101, 'DUPLICATE_BROKER_REGISTRATION', false, 'Broker id already in use.'],
  [102, 'BROKER_ID_NOT_REGISTERED', false, 'Broker id not registered.'],
  [103, 'INCONSISTENT_TOPIC_ID', true, "Topic id does not match the log's."],
  [104, 'INCONSISTENT_CLUSTER_ID', false, "Cluster id does not match the server's."],
  [105, 'TRANSACTIONAL_ID_NOT_FOUND', false, 'Transactional id not found.'],
  [106, 'FETCH_SESSION_TOPIC_ID_ERROR', true, 'Fetch session mixes topic ids inconsistently.'],
  [107, 'INELIGIBLE_REPLICA', false, 'New ISR contains an ineligible replica.'],
  [108, 'NEW_LEADER_ELECTED', false, 'ISR updated, but the leader changed.'],
  [109, 'OFFSET_MOVED_TO_TIERED_STORAGE', false, 'Offset moved to tiered storage.'],
  [110, 'FENCED_MEMBER_EPOCH', false, 'Member epoch fenced; rejoin.'],
  [111, 'UNRELEASED_INSTANCE_ID', false, 'Instance id still held by another member.'],
  [112, 'UNSUPPORTED_ASSIGNOR', false, 'Assignor or its version not supported by the group.'],
  [113, 'STALE_MEMBER_EPOCH', false, 'Member epoch is stale.'],
  [114, 'MISMATCHED_ENDPOINT_TYPE', false, 'Request sent to the wrong endpoint type.'],
  [115, 'UNSUPPORTED_ENDPOINT_TYPE', false, 'Endpoint type not supported.'],
  [116, 'UNKNOWN_CONTROLLER_ID', false, 'Unknown controller id.'],
  [117, 'UNKNOWN_SUBSCRIPTION_ID', false, 'Unknown or outdated telemetry subscription id.'],
  [118, 'TELEMETRY_TOO_LARGE', false, 'Telemetry push too large.'],
  [119, 'INVALID_REGISTRATION', false, 'Broker registration rejected as invalid.'],
  [120, 'TRANSACTION_ABORTABLE', false, 'Transaction failed; abort it to continue.'],
  [121, 'INVALID_RECORD_STATE', false, 'Invalid record state; acknowledgement not completed.'],
  [122, 'SHARE_SESSION_NOT_FOUND', true, 'Share session not found.'],
  [123, 'INVALID_SHARE_SESSION_EPOCH', true, 'Invalid share session epoch.'],
  [124, 'FENCED_STATE_EPOCH', false, 'Share-group state epoch mismatch.'],
  [125, 'INVALID_VOTER_KEY', false, 'Voter key does not match the replica.'],
  [126, 'DUPLICATE_VOTER', false, 'Voter already in the voter set.'],
  [127, 'VOTER_NOT_FOUND', false, 'Voter not in the voter set.'],
] as const;

type Row = (typeof ROWS)[number];

export type ErrorName = Row[1];

/** Error codes by name, for code: `ErrorCode.NOT_LEADER_OR_FOLLOWER` is 6. */
export const ErrorCode = Object.freeze(Object.fromEntries(ROWS.map((r) => [r[1], r[0]]))) as {
  readonly [R in Row as R[1]]: R[0];
};
export type ErrorCode = Row[0];

export interface ErrorInfo {
  readonly code: ErrorCode;
  readonly name: ErrorName;
  readonly retriable: boolean;
  readonly message: string;
}

/** The whole table, in code order. */
export const ERRORS: readonly ErrorInfo[] = Object.freeze(
  ROWS.map(([code, name, retriable, message]) => Object.freeze({ code, name, retriable, message })),
);

const byCode = new Map<number, ErrorInfo>(ERRORS.map((e) => [e.code, e]));

export function errorInfo(code: number): ErrorInfo | undefined {
  return byCode.get(code);
}

/** The code's name, or `UNKNOWN_ERROR_CODE(n)` for a code this table does not know. */
export function errorName(code: number): string {
  return byCode.get(code)?.name ?? `UNKNOWN_ERROR_CODE(${code})`;
}

/** Unknown codes are not retriable, as in Kafka's clients. */
export function isRetriable(code: number): boolean {
  return byCode.get(code)?.retriable ?? false;
}

export function isErrorCode(code: number): code is ErrorCode {
  return byCode.has(code);
}
