import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { RequestContext } from '../api/kafka-api-handler';
import { parseEndpoint } from '../metadata/broker-endpoints';
import { METADATA_VIEW, type MetadataView } from '../metadata/metadata-view';

/** Client id of a broker's delay path; Produce trusts it only from that broker (DelayPeerCheck). */
export const DELAY_CLIENT_ID_PREFIX = 'kafkanest-delay-broker-';

/** Refusals logged, at most, so a client misusing the id cannot flood the log. */
const MAX_REFUSALS_LOGGED = 100;

/**
 * Tells a Produce from another broker's delay path (held records forwarded to a queue's
 * leader, due records to their target's leader) from a client's. There is no
 * authentication, so, as Kafka checks replica fetches against the registered brokers
 * (CVE-2018-1288) but stricter, a client id `kafkanest-delay-broker-N` is trusted only when
 *  - N is a live registered broker other than this one (a broker appends to the partitions
 *    it leads itself, never through its own socket), and
 *  - the connection comes from an address N's registered endpoints resolve to; loopback
 *    matches loopback (127.0.0.0/8 and ::1 are one host, and a broker advertising
 *    `localhost` connects from whichever its resolver picks).
 * Anything else is an ordinary client: its delay headers are held like anyone's and the
 * internal topics are refused to it. The answer is synchronous for every other client id;
 * resolved addresses are kept until the live brokers change.
 */
@Injectable()
export class DelayPeerCheck implements OnModuleDestroy {
  private readonly logger = new Logger('DelayPeerCheck');
  private readonly resolved = new Map<string, Promise<readonly string[]>>();
  private readonly refusalsLogged = new Set<string>();
  private readonly unsubscribe: () => void;

  constructor(@Inject(METADATA_VIEW) private readonly metadata: Pick<MetadataView, 'localBrokerId' | 'broker' | 'onChange'>) {
    this.unsubscribe = metadata.onChange((change) => {
      if (change.kind === 'brokers') this.resolved.clear();
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  /** Whether the request comes from another live broker's delay path. */
  isDelayBroker(ctx: RequestContext | undefined): boolean | Promise<boolean> {
    if (!ctx?.clientId?.startsWith(DELAY_CLIENT_ID_PREFIX)) return false;
    const clientId = ctx.clientId;
    const claimed = clientId.slice(DELAY_CLIENT_ID_PREFIX.length);
    const brokerId = /^\d{1,10}$/.test(claimed) ? Number(claimed) : -1;
    const broker = brokerId >= 0 && brokerId !== this.metadata.localBrokerId ? this.metadata.broker(brokerId) : undefined;
    if (!broker) return this.refuse(clientId, ctx.connection.remoteAddress, 'not another live broker');
    const hosts = new Set([broker.host, ...broker.endpoints.map((e) => parseEndpoint(e)?.host)].filter((h): h is string => !!h));
    return Promise.all([...hosts].map((host) => this.addresses(host))).then((lists) => {
      const remote = normalizeAddress(ctx.connection.remoteAddress);
      const matches = lists.some((list) => list.some((address) => sameHost(address, remote)));
      return matches || this.refuse(clientId, remote, `not an address of broker ${brokerId} (${[...hosts].join(', ')})`);
    });
  }

  private addresses(host: string): Promise<readonly string[]> {
    let found = this.resolved.get(host);
    if (!found) {
      found = isIP(host)
        ? Promise.resolve([normalizeAddress(host)])
        : lookup(host, { all: true }).then(
            (all) => all.map((a) => normalizeAddress(a.address)),
            // An unresolvable name matches nothing now; it is looked up again after the next broker change.
            () => [],
          );
      this.resolved.set(host, found);
    }
    return found;
  }

  private refuse(clientId: string, address: string, why: string): false {
    const key = `${clientId}@${address}`;
    if (this.refusalsLogged.size < MAX_REFUSALS_LOGGED && !this.refusalsLogged.has(key)) {
      this.refusalsLogged.add(key);
      this.logger.warn(`client id ${clientId} from ${address} is treated as an ordinary client: ${why}`);
    }
    return false;
  }
}

/** An IPv4 peer on a dual-stack socket is reported as ::ffff:a.b.c.d. */
function normalizeAddress(address: string): string {
  return address.toLowerCase().startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address.toLowerCase();
}

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1';
}

function sameHost(registered: string, remote: string): boolean {
  return registered === remote || (isLoopback(registered) && isLoopback(remote));
}
