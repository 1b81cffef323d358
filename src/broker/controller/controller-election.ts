import type { ControllerAccessor, WatchedValue } from '../../zk/accessors';
import type { MetadataStore } from '../../zk/metadata-store';

export interface ElectionCallbacks {
  /** This broker won; resolves when it has taken up its duties. */
  elected(): Promise<void>;
  /** This broker stopped being controller (lost the node, its session, or shut down). */
  resigned(): void;
}

export interface ElectionLogger {
  log(message: string): void;
  warn(message: string): void;
}

/**
 * Kafka's ZooKeeper controller election: every broker tries to create the ephemeral
 * /controller node; exactly one create succeeds and that broker is controller until its
 * session ends. The others watch the node and try again when it disappears. After a new
 * session the old node may have been recreated for us by the store, so a controller whose
 * session was replaced resigns, gives the node up and runs the election again.
 */
export class ControllerElection {
  private leading = false;
  private stopped = false;
  private watch: WatchedValue<number> | undefined;
  private stopSessionEvents: (() => void) | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly brokerId: number,
    private readonly controllers: ControllerAccessor,
    private readonly store: MetadataStore,
    private readonly callbacks: ElectionCallbacks,
    private readonly logger: ElectionLogger,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  /** Arms the watch and runs the first election; resolves once it is decided (and duties are taken up if won). */
  async start(): Promise<void> {
    this.watch = await this.controllers.watch((id) => {
      if (id === -1) void this.elect();
      else if (this.leading && id !== this.brokerId) this.resign(`broker ${id} holds /controller`);
    });
    this.stopSessionEvents = this.store.onSessionEvent((event) => {
      if (event.type === 'expired') this.resign('session expired');
      if (event.type === 'reconnected' && event.newSession && this.leading) {
        this.resign('new metadata session');
        void this.schedule(async () => {
          await this.controllers.release(this.brokerId);
          await this.tryWin();
        });
      }
    });
    await this.elect();
  }

  /** Serialised, so a watch event and a retry never run the election twice at once. */
  private elect(): Promise<void> {
    return this.schedule(() => this.tryWin());
  }

  private schedule(task: () => Promise<void>): Promise<void> {
    this.running = this.running.then(task).catch((err) => this.logger.warn(`controller election failed: ${err instanceof Error ? err.message : String(err)}`));
    return this.running;
  }

  private async tryWin(): Promise<void> {
    if (this.stopped || this.leading) return;
    const won = (await this.controllers.tryClaim(this.brokerId)) || (await this.controllers.controllerId()) === this.brokerId;
    if (!won || this.stopped) return;
    this.leading = true;
    this.logger.log(`broker ${this.brokerId} is the controller`);
    await this.callbacks.elected();
  }

  /** Called by the controller when it finds itself fenced (a newer epoch exists). */
  resign(reason: string): void {
    if (!this.leading) return;
    this.leading = false;
    this.logger.warn(`broker ${this.brokerId} resigns as controller: ${reason}`);
    this.callbacks.resigned();
  }

  /** Shutdown: stop competing and hand the node over. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.watch?.unsubscribe();
    this.stopSessionEvents?.();
    await this.running;
    if (this.leading) {
      this.leading = false;
      this.logger.log(`broker ${this.brokerId} hands over the controller role: shutting down`);
      this.callbacks.resigned();
      await this.controllers.release(this.brokerId).catch(() => undefined);
    }
  }
}
