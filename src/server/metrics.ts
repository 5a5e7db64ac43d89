/**
 * The server's Prometheus metrics (prom-client, a registry of its own so several servers in one
 * process do not mix): requests by route and status, latencies, queue depth, errors by code,
 * jobs by state, plus the process's default metrics (memory, CPU, event loop).
 */
import client from 'prom-client';

/** The metrics of one server. */
export interface ServerMetrics {
  registry: client.Registry;
  requests: client.Counter<'route' | 'method' | 'status'>;
  latency: client.Histogram<'route'>;
  errors: client.Counter<'code'>;
  queueDepth: client.Gauge;
  running: client.Gauge;
  jobs: client.Counter<'state'>;
}

/**
 * Creates the metrics; `sample` is called at each scrape to read the gauges.
 *
 * @example
 * const m = createServerMetrics(() => limiter.state());
 * reply.type(m.registry.contentType).send(await m.registry.metrics());
 */
export function createServerMetrics(sample: () => { running: number; waiting: number }): ServerMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'medcolor_' });
  const requests = new client.Counter({
    name: 'medcolor_http_requests_total',
    help: 'HTTP requests answered, by route, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const latency = new client.Histogram({
    name: 'medcolor_http_request_duration_seconds',
    help: 'Time from request to reply, by route',
    labelNames: ['route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  const errors = new client.Counter({
    name: 'medcolor_errors_total',
    help: 'Error replies by library error code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const queueDepth = new client.Gauge({
    name: 'medcolor_queue_depth',
    help: 'Colorizations waiting for a slot',
    registers: [registry],
    collect() {
      this.set(sample().waiting);
    },
  });
  const running = new client.Gauge({
    name: 'medcolor_running',
    help: 'Colorizations running now',
    registers: [registry],
    collect() {
      this.set(sample().running);
    },
  });
  const jobs = new client.Counter({
    name: 'medcolor_jobs_total',
    help: 'Job items finished in this process (in-process queue) by state (done, failed)',
    labelNames: ['state'] as const,
    registers: [registry],
  });
  return { registry, requests, latency, errors, queueDepth, running, jobs };
}
