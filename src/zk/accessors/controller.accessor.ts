// /controller (ephemeral) names the elected controller, /controller_epoch counts elections.
//   /controller        {"version":1,"brokerid":0,"timestamp":"1700000000000"}
//   /controller_epoch  M  (a bare JSON number: the same bytes as Kafka's plain-text epoch)
// The epoch fences a deposed controller: every state it writes carries the epoch it won,
// and it re-reads /controller_epoch before acting.
import type { MetadataStore } from '../metadata-store';
import { BadVersionError, NodeExistsError } from '../metadata-store.errors';
import type { WatchedValue } from './broker-ids.accessor';
import { ZkPaths } from './zk-paths';

export interface ControllerJson {
  version: number;
  brokerid: number;
  timestamp: string;
}

export class ControllerAccessor {
  constructor(private readonly store: MetadataStore) {}

  /** Tries to become controller; true when this broker created /controller. */
  async tryClaim(brokerId: number): Promise<boolean> {
    try {
      await this.store.create(ZkPaths.controller, { version: 1, brokerid: brokerId, timestamp: String(Date.now()) }, { mode: 'ephemeral' });
      return true;
    } catch (err) {
      if (err instanceof NodeExistsError) return false;
      throw err;
    }
  }

  async controllerId(): Promise<number> {
    return toId((await this.store.get<ControllerJson>(ZkPaths.controller))?.value ?? null);
  }

  async watch(listener: (controllerId: number) => void): Promise<WatchedValue<number>> {
    const sub = await this.store.watchData<ControllerJson>(ZkPaths.controller, (event) => listener(toId(event.node?.value ?? null)));
    return { initial: toId(sub.initial?.value ?? null), unsubscribe: () => sub.unsubscribe() };
  }

  /** Deletes /controller if this broker holds it (resignation). */
  async release(brokerId: number): Promise<void> {
    const node = await this.store.get<ControllerJson>(ZkPaths.controller);
    if (!node || toId(node.value) !== brokerId) return;
    await this.store.delete(ZkPaths.controller, node.version).catch(() => undefined);
  }

  async epoch(): Promise<number> {
    const node = await this.store.get<number>(ZkPaths.controllerEpoch);
    return typeof node?.value === 'number' ? node.value : 0;
  }

  /**
   * Increments /controller_epoch (creating it at 1) with compare-and-set, so two brokers that
   * both believe they won cannot both get the same epoch. Resolves with the new epoch.
   */
  async incrementEpoch(): Promise<number> {
    for (;;) {
      const node = await this.store.get<number>(ZkPaths.controllerEpoch);
      try {
        if (!node) {
          await this.store.create(ZkPaths.controllerEpoch, 1);
          return 1;
        }
        const next = (typeof node.value === 'number' ? node.value : 0) + 1;
        await this.store.set(ZkPaths.controllerEpoch, next, node.version);
        return next;
      } catch (err) {
        if (!(err instanceof NodeExistsError) && !(err instanceof BadVersionError)) throw err;
      }
    }
  }
}

function toId(json: ControllerJson | null): number {
  return json && typeof json.brokerid === 'number' ? json.brokerid : -1;
}
