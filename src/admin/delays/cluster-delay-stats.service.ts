import { Inject, Injectable } from '@nestjs/common';
import { METADATA_VIEW, type MetadataView } from '../../broker/metadata/metadata-view';
import { AdminConfig } from '../../config/admin.config';
import { DelayService, type DelayStats } from '../../coordinator/delay/delay.service';
import { isDelayStats, leadersToAsk, mergeLeaderAnswers, type LeaderAnswer } from './delay-stats-merge';

/** The query that makes a broker answer for its own schedulers only, so a broker asked by another never asks further. */
export const OWN_SCHEDULERS_QUERY = 'scope=broker';

/**
 * The delay stats of the whole cluster from any broker: a queue's stats live in the memory of
 * the broker running its scheduler (the queue topic's leader), so this broker asks every other
 * leader's REST admin for its own stats, in parallel and within admin.peer-timeout. A leader
 * that cannot be asked costs its queues their stats (they carry an error instead), never the
 * answer.
 */
@Injectable()
export class ClusterDelayStats {
  constructor(
    private readonly delays: DelayService,
    @Inject(METADATA_VIEW) private readonly metadata: MetadataView,
    private readonly config: AdminConfig,
  ) {}

  /** The queues whose schedulers this broker runs, in full; the others by leader only. */
  own(): DelayStats {
    return this.delays.stats();
  }

  async cluster(): Promise<DelayStats> {
    const local = this.delays.stats();
    const leaders = leadersToAsk(local);
    if (leaders.length === 0) return local;
    const answers = await Promise.all(leaders.map(async (id) => [id, await this.ask(id)] as const));
    return mergeLeaderAnswers(local, new Map(answers));
  }

  private async ask(brokerId: number): Promise<LeaderAnswer> {
    const broker = this.metadata.broker(brokerId);
    if (!broker) return { error: `broker ${brokerId} is not alive (not registered)` };
    if (!broker.adminUrl) return { error: `broker ${brokerId} has registered no admin address (its admin HTTP server does not listen)` };
    const timeoutMs = this.config.peerTimeout;
    const where = `broker ${brokerId} at ${broker.adminUrl}`;
    try {
      const response = await fetch(`${broker.adminUrl}/api/delays?${OWN_SCHEDULERS_QUERY}`, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
      if (!response.ok) return { error: `${where} answered HTTP ${response.status}` };
      const body: unknown = await response.json();
      // An admin address now served by another broker (a restart on other ports) is not this leader's answer.
      if (!isDelayStats(body) || body.brokerId !== brokerId) return { error: `${where} did not answer with its delay stats` };
      return { stats: body };
    } catch (error) {
      // AbortSignal.timeout() rejects with a DOMException named TimeoutError.
      if (nameOf(error) === 'TimeoutError') return { error: `${where} did not answer within ${timeoutMs} ms` };
      return { error: `cannot reach ${where}: ${reason(error)}` };
    }
  }
}

// Duck-typed: fetch's errors may come from another realm (undici's, or a test runner's), where instanceof fails.
function nameOf(error: unknown): unknown {
  return (error as { name?: unknown } | null)?.name;
}

/** fetch() rejects with "fetch failed" and the socket's error (ECONNREFUSED, ...) as the cause. */
function reason(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause ?? error;
  const message = (cause as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(cause);
}
