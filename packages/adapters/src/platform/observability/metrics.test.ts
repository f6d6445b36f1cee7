import { describe, expect, it } from 'vitest';
import { AuraMetrics, type MetricSources } from './metrics.js';

function sources(backlog = 0, oldestAgeSeconds = 0, parked = 0) {
  const calls = { outbox: 0, parked: 0 };
  const value: MetricSources = {
    outbox: async () => {
      calls.outbox += 1;
      return { backlog, oldestAgeSeconds };
    },
    parkedDeadLetters: async () => {
      calls.parked += 1;
      return parked;
    },
  };
  return { value, calls };
}

describe('AuraMetrics', () => {
  it('reads the outbox and the dead letters when scraped, the outbox once per scrape', async () => {
    const { value, calls } = sources(7, 12.5, 3);
    const metrics = new AuraMetrics(value, { defaultMetrics: false });
    expect(calls).toEqual({ outbox: 0, parked: 0 });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^aura_outbox_backlog 7$/m);
    expect(text).toMatch(/^aura_outbox_lag_seconds 12.5$/m);
    expect(text).toMatch(/^aura_dead_letters 3$/m);
    expect(calls).toEqual({ outbox: 1, parked: 1 });
    await metrics.registry.metrics();
    expect(calls).toEqual({ outbox: 2, parked: 2 });
  });

  it('counts jobs, relayed events, deliveries and request durations by label', async () => {
    const metrics = new AuraMetrics(sources().value, { defaultMetrics: false });
    metrics.jobs.inc({ queue: 'audit.events', outcome: 'completed' });
    metrics.jobs.inc({ queue: 'audit.events', outcome: 'completed' });
    metrics.jobs.inc({ queue: 'audit.events', outcome: 'failed' });
    metrics.relayedEvents.inc(5);
    metrics.eventDeliveries.inc({ subscriber: 'audit.flaky', outcome: 'duplicate' });
    metrics.httpRequestDuration.observe({ method: 'GET', route: '/health/live', status: '200' }, 0.003);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^aura_jobs_total\{queue="audit.events",outcome="completed"\} 2$/m);
    expect(text).toMatch(/^aura_jobs_total\{queue="audit.events",outcome="failed"\} 1$/m);
    expect(text).toMatch(/^aura_outbox_relayed_events_total 5$/m);
    expect(text).toMatch(/^aura_event_deliveries_total\{subscriber="audit.flaky",outcome="duplicate"\} 1$/m);
    expect(text).toMatch(
      /^aura_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/health\/live",status="200"\} 1$/m,
    );
  });

  it('includes the process metrics unless told not to', async () => {
    expect(await new AuraMetrics(sources().value).registry.metrics()).toMatch(/^aura_process_cpu_seconds_total /m);
    expect(await new AuraMetrics(sources().value, { defaultMetrics: false }).registry.metrics()).not.toMatch(/aura_process_/);
  });

  it('keeps the metrics of each instance apart, so several can live in one process', async () => {
    const a = new AuraMetrics(sources(1).value, { defaultMetrics: false });
    const b = new AuraMetrics(sources(2).value, { defaultMetrics: false });
    a.relayedEvents.inc(3);
    expect(await a.registry.metrics()).toMatch(/^aura_outbox_relayed_events_total 3$/m);
    expect(await b.registry.metrics()).toMatch(/^aura_outbox_relayed_events_total 0$/m);
    expect(await b.registry.metrics()).toMatch(/^aura_outbox_backlog 2$/m);
  });

  it('reports NaN for a source that fails, keeps answering the scrape, and reads afresh on the next one', async () => {
    let fail = true;
    const metrics = new AuraMetrics(
      {
        outbox: async () => {
          if (fail) throw new Error('database down');
          return { backlog: 4, oldestAgeSeconds: 1 };
        },
        parkedDeadLetters: async () => 0,
      },
      { defaultMetrics: false },
    );
    const during = await metrics.registry.metrics();
    expect(during).toMatch(/^aura_outbox_backlog Nan$/im);
    expect(during).toMatch(/^aura_outbox_lag_seconds Nan$/im);
    expect(during).toMatch(/^aura_dead_letters 0$/m);
    fail = false;
    expect(await metrics.registry.metrics()).toMatch(/^aura_outbox_backlog 4$/m);
  });
});
