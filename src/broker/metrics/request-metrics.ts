import type { Metric, Registry } from 'prom-client';
import { ApiKey } from '../../protocol/api-key';
import type { RequestObserver } from '../api/request-router';

/** Kafka request latencies span sub-millisecond metadata calls to fetch long polls (fetch.max.wait.ms 500) and acks=all waits. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** One API's running totals: plain numbers the request path adds to. */
class ApiTotals {
  requests = 0;
  errors = 0;
  bytesIn = 0;
  bytesOut = 0;
  seconds = 0;
  /** Requests per latency bucket, not cumulative; slower than the last bound only count in `requests`. */
  readonly buckets = new Float64Array(LATENCY_BUCKETS_SECONDS.length);

  constructor(readonly api: string) {}
}

interface Sample {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * Requests, errors, bytes in and out and latency per Kafka API, as the request router
 * reports each served request. The request path does one map lookup and a few additions;
 * prom-client's labelled children would hash their labels on every increment, so the
 * totals live here and become Prometheus series only when scraped.
 */
export class RequestMetrics implements RequestObserver {
  private readonly totals = new Map<number, ApiTotals>();

  onRequest(apiKey: number, requestBytes: number, responseBytes: number, elapsedMs: number, errored: boolean): void {
    const totals = this.totals.get(apiKey) ?? this.totalsFor(apiKey);
    totals.requests++;
    if (errored) totals.errors++;
    totals.bytesIn += requestBytes;
    totals.bytesOut += responseBytes;
    const seconds = elapsedMs / 1000;
    totals.seconds += seconds;
    let bucket = 0;
    while (bucket < LATENCY_BUCKETS_SECONDS.length && seconds > LATENCY_BUCKETS_SECONDS[bucket]) bucket++;
    if (bucket < LATENCY_BUCKETS_SECONDS.length) totals.buckets[bucket]++;
  }

  /** Adds the counters and the latency histogram to `registry`. */
  register(registry: Registry): void {
    const counter = (name: string, help: string, value: (t: ApiTotals) => number) =>
      this.metric(name, help, 'counter', () => [...this.totals.values()].map((t) => ({ labels: { api: t.api }, value: value(t) })));
    registry.registerMetric(counter('kafkanest_requests_total', 'Kafka requests served, per API', (t) => t.requests));
    registry.registerMetric(counter('kafkanest_request_errors_total', 'Kafka requests whose handler failed, per API', (t) => t.errors));
    registry.registerMetric(counter('kafkanest_request_bytes_total', 'Request bytes received (frame size), per API', (t) => t.bytesIn));
    registry.registerMetric(counter('kafkanest_response_bytes_total', 'Response bytes sent, per API', (t) => t.bytesOut));
    const latency = 'kafkanest_request_duration_seconds';
    registry.registerMetric(
      this.metric(latency, 'Time from a request read to its response encoded (fetch long polls and acks waits included), per API', 'histogram', () =>
        [...this.totals.values()].flatMap((t): Sample[] => {
          let cumulative = 0;
          const buckets = LATENCY_BUCKETS_SECONDS.map((bound, i): Sample => ({ metricName: `${latency}_bucket`, labels: { le: bound, api: t.api }, value: (cumulative += t.buckets[i]) }));
          return [
            ...buckets,
            { metricName: `${latency}_bucket`, labels: { le: '+Inf', api: t.api }, value: t.requests },
            { metricName: `${latency}_sum`, labels: { api: t.api }, value: t.seconds },
            { metricName: `${latency}_count`, labels: { api: t.api }, value: t.requests },
          ];
        }),
      ),
    );
  }

  private totalsFor(apiKey: number): ApiTotals {
    const totals = new ApiTotals(ApiKey[apiKey] ?? String(apiKey));
    this.totals.set(apiKey, totals);
    return totals;
  }

  /** A metric in the shape prom-client's registry reads (name, type, get); its values are computed when scraped. */
  private metric(name: string, help: string, type: 'counter' | 'histogram', values: () => Sample[]): Metric {
    const read = async () => ({ name, help, type, aggregator: 'sum' as const, values: values() });
    return { name, help, type, aggregator: 'sum', get: read, reset: () => this.totals.clear() } as unknown as Metric;
  }
}
