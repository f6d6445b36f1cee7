import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricSources {
  /** Unpublished outbox rows, and the age in seconds of the oldest one. */
  outbox(): Promise<{ backlog: number; oldestAgeSeconds: number }>;
  parkedDeadLetters(): Promise<number>;
}

/**
 * Aura's Prometheus metrics, in a registry of their own (several Aura instances can live in
 * one process, as in tests). Gauges read their sources when scraped.
 */
export class AuraMetrics {
  readonly registry = new Registry();

  readonly httpRequestDuration = new Histogram({
    name: 'aura_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly httpRequestsInFlight = new Gauge({
    name: 'aura_http_requests_in_flight',
    help: 'HTTP requests received and not yet answered by this process.',
    registers: [this.registry],
  });

  readonly jobs = new Counter({
    name: 'aura_jobs_total',
    help: 'Job attempts by queue and outcome (completed, retried, postponed, failed = dead-lettered).',
    labelNames: ['queue', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly relayedEvents = new Counter({
    name: 'aura_outbox_relayed_events_total',
    help: 'Outbox events handed to the queue.',
    registers: [this.registry],
  });

  readonly eventDeliveries = new Counter({
    name: 'aura_event_deliveries_total',
    help: 'Event deliveries by subscriber and outcome (handled, duplicate).',
    labelNames: ['subscriber', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly providerCalls = new Counter({
    name: 'aura_notification_provider_calls_total',
    help: 'Calls to notification providers by channel, provider and outcome (sent, rejected, failed, timeout, circuit_open).',
    labelNames: ['channel', 'provider', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly providerCircuit = new Gauge({
    name: 'aura_notification_provider_circuit_state',
    help: 'Circuit breaker of each notification provider in this process: 0 closed, 1 open, 2 half-open.',
    labelNames: ['channel', 'provider'] as const,
    registers: [this.registry],
  });

  readonly dependencyUp = new Gauge({
    name: 'aura_dependency_up',
    help: 'Whether this process reaches a dependency (database, redis): 1 up, 0 during an outage.',
    labelNames: ['dependency'] as const,
    registers: [this.registry],
  });

  readonly dependencyOutages = new Counter({
    name: 'aura_dependency_outages_total',
    help: 'Outages of a dependency seen by this process (confirmed by a probe), by dependency.',
    labelNames: ['dependency'] as const,
    registers: [this.registry],
  });

  constructor(sources: MetricSources, options: { defaultMetrics?: boolean } = {}) {
    const registry = this.registry;
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'aura_' });
    let outboxReading: Promise<{ backlog: number; oldestAgeSeconds: number }> | undefined;
    // A source that cannot be read (the database is down) reports NaN: the scrape still
    // answers, with the process and HTTP metrics an outage is diagnosed with.
    const orNaN = async (read: () => Promise<number>) => {
      try {
        return await read();
      } catch {
        return Number.NaN;
      }
    };
    // Backlog and lag come from one query per scrape.
    const readOutbox = () => {
      outboxReading ??= sources.outbox().finally(() => {
        outboxReading = undefined;
      });
      return outboxReading;
    };
    new Gauge({
      name: 'aura_outbox_backlog',
      help: 'Outbox events not yet relayed to the queue.',
      registers: [registry],
      async collect() {
        this.set(await orNaN(async () => (await readOutbox()).backlog));
      },
    });
    new Gauge({
      name: 'aura_outbox_lag_seconds',
      help: 'Age of the oldest outbox event not yet relayed (0 when none).',
      registers: [registry],
      async collect() {
        this.set(await orNaN(async () => (await readOutbox()).oldestAgeSeconds));
      },
    });
    new Gauge({
      name: 'aura_dead_letters',
      help: 'Jobs that failed every attempt and are parked for replay.',
      registers: [registry],
      async collect() {
        this.set(await orNaN(() => sources.parkedDeadLetters()));
      },
    });
  }
}
