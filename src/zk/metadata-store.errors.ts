// Typed failures of a MetadataStore. Codes are ZooKeeper's own KeeperException codes, so a
// log line reads the same whichever implementation produced it, and the ZooKeeper store can
// map a client return code straight to a class.
export class MetadataStoreError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly path?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NoNodeError extends MetadataStoreError {
  static readonly CODE = -101;
  constructor(path: string) {
    super(NoNodeError.CODE, `no node ${path}`, path);
  }
}

export class NodeExistsError extends MetadataStoreError {
  static readonly CODE = -110;
  constructor(path: string) {
    super(NodeExistsError.CODE, `node ${path} already exists`, path);
  }
}

export class BadVersionError extends MetadataStoreError {
  static readonly CODE = -103;
  constructor(
    path: string,
    readonly expectedVersion?: number,
    readonly actualVersion?: number,
  ) {
    super(
      BadVersionError.CODE,
      actualVersion === undefined
        ? `version of ${path} is not ${expectedVersion}`
        : `version of ${path} is ${actualVersion}, expected ${expectedVersion}`,
      path,
    );
  }
}

export class NotEmptyError extends MetadataStoreError {
  static readonly CODE = -111;
  constructor(path: string) {
    super(NotEmptyError.CODE, `node ${path} has children`, path);
  }
}

export class NoChildrenForEphemeralsError extends MetadataStoreError {
  static readonly CODE = -108;
  constructor(path: string) {
    super(NoChildrenForEphemeralsError.CODE, `ephemeral node ${path} cannot have children`, path);
  }
}

export class SessionExpiredError extends MetadataStoreError {
  static readonly CODE = -112;
  constructor(path?: string) {
    super(SessionExpiredError.CODE, `metadata session expired${path ? ` (during an operation on ${path})` : ''}`, path);
  }
}

export class ConnectionLossError extends MetadataStoreError {
  static readonly CODE = -4;
  constructor(detail: string, path?: string) {
    super(ConnectionLossError.CODE, `metadata store connection lost: ${detail}`, path);
  }
}

/** A path or value the store refuses before doing anything (ZooKeeper's ZBADARGUMENTS). */
export class BadArgumentsError extends MetadataStoreError {
  static readonly CODE = -8;
  constructor(message: string, path?: string) {
    super(BadArgumentsError.CODE, message, path);
  }
}

/** A node whose bytes are not JSON: written by some other tool, or damaged. */
export class MalformedDataError extends MetadataStoreError {
  static readonly CODE = -5; // ZooKeeper's ZMARSHALLINGERROR
  constructor(path: string, detail: string) {
    super(MalformedDataError.CODE, `data of ${path} is not valid JSON: ${detail}`, path);
  }
}

/** The store was closed, or the embedded store stopped after a failed write. */
export class StoreClosedError extends MetadataStoreError {
  static readonly CODE = -116; // ZooKeeper's ZCLOSING
  constructor(reason = 'metadata store is closed') {
    super(StoreClosedError.CODE, reason);
  }
}

/** Any other ZooKeeper return code, kept verbatim. */
export class ZooKeeperError extends MetadataStoreError {}
