// /controller (ephemeral, the elected controller) and /controller_epoch (a plain number,
// bumped with a version check by each new controller so a zombie controller's writes, which
// carry the old epoch, can be told apart). JSON as Kafka's ControllerZNode version 1.
import type { MetadataStore } from '../metadata-store';
import { NodeExistsError } from '../metadata-store.errors';
import { ZkPaths } from '../zk-paths';
import { ignoreNoNode } from './missing-node';

interface ControllerJson {
  version: number;
  brokerid: number;
  timestamp: string;
}

export class ControllerMetadata {
  constructor(private readonly store: MetadataStore) {}

  /** True if this broker became controller; false if another one holds /controller. */
  async tryElect(brokerId: number, now = Date.now()): Promise<boolean> {
    try {
      await this.store.create(ZkPaths.controller, { version: 1, brokerid: brokerId, timestamp: String(now) }, { mode: 'ephemeral' });
      return true;
    } catch (err) {
      if (err instanceof NodeExistsError) return false;
      throw err;
    }
  }

  async controllerId(): Promise<number | null> {
    const node = await this.store.get<ControllerJson>(ZkPaths.controller);
    return node ? node.value.brokerid : null;
  }

  /** Calls back with the controller id (null while none) after every change. */
  async watch(listener: (brokerId: number | null) => void): Promise<{ initial: number | null; unsubscribe: () => void }> {
    const sub = await this.store.watchData<ControllerJson>(ZkPaths.controller, (e) => listener(e.node ? e.node.value.brokerid : null));
    return { initial: sub.initial ? sub.initial.value.brokerid : null, unsubscribe: sub.unsubscribe };
  }

  /** Gives up /controller if this broker holds it. */
  async resign(brokerId: number): Promise<void> {
    const node = await this.store.get<ControllerJson>(ZkPaths.controller);
    if (node?.value.brokerid !== brokerId) return;
    await this.store.delete(ZkPaths.controller, node.version).catch(ignoreNoNode);
  }

  async epoch(): Promise<{ epoch: number; version: number } | null> {
    const node = await this.store.get<number>(ZkPaths.controllerEpoch);
    return node ? { epoch: Number(node.value), version: node.version } : null;
  }

  /**
   * Moves the epoch one past what was read (`seen`, null when absent) and resolves with the
   * new epoch; BadVersionError / NodeExistsError when another controller moved it first.
   */
  async incrementEpoch(seen: { epoch: number; version: number } | null): Promise<number> {
    if (!seen) {
      await this.store.create(ZkPaths.controllerEpoch, 1);
      return 1;
    }
    await this.store.set(ZkPaths.controllerEpoch, seen.epoch + 1, seen.version);
    return seen.epoch + 1;
  }
}
