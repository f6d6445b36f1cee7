import {
  type ChannelSender,
  isProviderRejected,
  isProviderUnavailable,
  type OutgoingMessage,
  ProviderRejectedError,
  type ProviderUnavailableError,
  type SendReceipt,
} from '@aura/application/notifications';
import { afterEach, describe, expect, it } from 'vitest';
import { ResilientSender } from '../../src/notifications/senders/resilient.sender.js';
import { AuraMetrics } from '../../src/platform/observability/metrics.js';
import { settle } from '../support/wait.js';

type Behaviour = 'ok' | 'fail' | 'reject' | 'hang' | 'timeout-error';

/** A provider whose next answers the test decides; it counts the calls it receives. */
class ScriptedSender implements ChannelSender {
  readonly provider = 'scripted';
  calls = 0;
  behaviour: Behaviour = 'ok';
  private readonly hanging: Array<() => void> = [];

  async send(message: OutgoingMessage): Promise<SendReceipt> {
    this.calls += 1;
    switch (this.behaviour) {
      case 'ok':
        return { providerMessageId: `p-${message.notificationId}` };
      case 'reject':
        throw new ProviderRejectedError('invalid number');
      case 'fail':
        throw new Error('503 from the provider');
      case 'timeout-error': {
        const error = new Error('the provider timed out');
        error.name = 'TimeoutError';
        throw error;
      }
      case 'hang':
        return new Promise((resolve) => this.hanging.push(() => resolve({ providerMessageId: 'late' })));
    }
  }

  unavailableFor(): number {
    return 0;
  }

  release(): void {
    for (const resolve of this.hanging.splice(0)) resolve();
  }
}

const message = (id = 'n-1'): OutgoingMessage => ({
  notificationId: id,
  channel: 'sms',
  to: '+447700900123',
  subject: null,
  text: 'Your session starts in 1 hour.',
  html: null,
  category: 'reminder',
  priority: 'normal',
  metadata: {},
});

const newMetrics = () =>
  new AuraMetrics(
    { outbox: async () => ({ backlog: 0, oldestAgeSeconds: 0 }), parkedDeadLetters: async () => 0 },
    { defaultMetrics: false },
  );

/** `aura_notification_provider_calls_total{…,outcome}` and the circuit gauge, read from the exposition text. */
async function scrape(metrics: AuraMetrics) {
  const text = await metrics.registry.metrics();
  const value = (pattern: RegExp) => {
    const match = text.match(pattern);
    return match === null ? 0 : Number(match[1]);
  };
  const calls = (outcome: string) =>
    value(
      new RegExp(`aura_notification_provider_calls_total\\{channel="sms",provider="scripted",outcome="${outcome}"\\} (\\S+)`),
    );
  return {
    calls: {
      sent: calls('sent'),
      rejected: calls('rejected'),
      failed: calls('failed'),
      timeout: calls('timeout'),
      circuit_open: calls('circuit_open'),
    },
    circuit: value(/aura_notification_provider_circuit_state\{channel="sms",provider="scripted"\} (\S+)/),
  };
}

const senders: ScriptedSender[] = [];
afterEach(() => {
  for (const sender of senders.splice(0)) sender.release();
});

function setUp(options: { threshold?: number; halfOpenAfterMs?: number; timeoutMs?: number } = {}) {
  const inner = new ScriptedSender();
  senders.push(inner);
  const metrics = newMetrics();
  const sender = new ResilientSender(
    inner,
    {
      channel: 'sms',
      threshold: options.threshold ?? 3,
      halfOpenAfterMs: options.halfOpenAfterMs ?? 200,
      timeoutMs: options.timeoutMs ?? 1_000,
    },
    metrics,
  );
  return { inner, metrics, sender };
}

async function failTimes(sender: ResilientSender, times: number): Promise<void> {
  for (let i = 0; i < times; i += 1) {
    await expect(sender.send(message())).rejects.toThrow('503 from the provider');
  }
}

async function unavailable(sender: ResilientSender): Promise<ProviderUnavailableError> {
  const error = await sender.send(message()).catch((caught: unknown) => caught);
  if (!isProviderUnavailable(error)) throw new Error(`expected ProviderUnavailableError, got ${String(error)}`);
  return error;
}

describe('ResilientSender', () => {
  it('passes a send through, under the inner provider’s name', async () => {
    const { inner, sender, metrics } = setUp();
    expect(sender.provider).toBe('scripted');
    await expect(sender.send(message('n-7'))).resolves.toEqual({ providerMessageId: 'p-n-7' });
    expect(inner.calls).toBe(1);
    expect(sender.unavailableFor()).toBe(0);
    const scraped = await scrape(metrics);
    expect(scraped.calls.sent).toBe(1);
    expect(scraped.circuit).toBe(0);
  });

  it('opens after exactly `threshold` consecutive failures, then refuses without calling the provider', async () => {
    const { inner, sender, metrics } = setUp({ threshold: 3, halfOpenAfterMs: 5_000 });
    inner.behaviour = 'fail';
    await failTimes(sender, 2);
    expect(sender.unavailableFor()).toBe(0);
    await failTimes(sender, 1);

    const first = sender.unavailableFor();
    expect(first).toBeGreaterThan(4_000);
    expect(first).toBeLessThanOrEqual(5_000);
    const refused = await unavailable(sender);
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(first);
    expect(refused.message).toContain('scripted');
    expect(inner.calls).toBe(3);

    await settle(30);
    expect(sender.unavailableFor()).toBeLessThan(first);

    const scraped = await scrape(metrics);
    expect(scraped.calls.failed).toBe(3);
    expect(scraped.calls.circuit_open).toBe(1);
    expect(scraped.circuit).toBe(1);
  });

  it('never opens on rejections: the provider is answering', async () => {
    const { inner, sender, metrics } = setUp({ threshold: 2 });
    inner.behaviour = 'reject';
    for (let i = 0; i < 5; i += 1) {
      const error = await sender.send(message()).catch((caught: unknown) => caught);
      expect(isProviderRejected(error)).toBe(true);
    }
    expect(sender.unavailableFor()).toBe(0);
    expect(inner.calls).toBe(5);
    const scraped = await scrape(metrics);
    expect(scraped.calls.rejected).toBe(5);
    expect(scraped.circuit).toBe(0);
  });

  it('does not open when a success or a rejection interrupts the streak', async () => {
    const { inner, sender } = setUp({ threshold: 3 });
    inner.behaviour = 'fail';
    await failTimes(sender, 2);
    inner.behaviour = 'ok';
    await sender.send(message());
    inner.behaviour = 'fail';
    await failTimes(sender, 2);
    inner.behaviour = 'reject';
    await expect(sender.send(message())).rejects.toThrow('invalid number');
    inner.behaviour = 'fail';
    await failTimes(sender, 2);
    expect(sender.unavailableFor()).toBe(0);
    await failTimes(sender, 1);
    expect(sender.unavailableFor()).toBeGreaterThan(0);
  });

  it('lets one trial call through after halfOpenAfterMs: a success closes the circuit', async () => {
    const { inner, sender, metrics } = setUp({ threshold: 2, halfOpenAfterMs: 200 });
    inner.behaviour = 'fail';
    await failTimes(sender, 2);
    await unavailable(sender);
    await settle(230);
    expect(sender.unavailableFor()).toBe(0);

    inner.behaviour = 'ok';
    await expect(sender.send(message('trial'))).resolves.toEqual({ providerMessageId: 'p-trial' });
    expect(inner.calls).toBe(3);
    expect((await scrape(metrics)).circuit).toBe(0);
    await sender.send(message());
    expect(inner.calls).toBe(4);
  });

  it('lets one trial call through after halfOpenAfterMs: a failure opens the circuit again', async () => {
    const { inner, sender, metrics } = setUp({ threshold: 2, halfOpenAfterMs: 200 });
    inner.behaviour = 'fail';
    await failTimes(sender, 2);
    await settle(230);

    await failTimes(sender, 1);
    expect(inner.calls).toBe(3);
    expect(sender.unavailableFor()).toBeGreaterThan(100);
    await unavailable(sender);
    expect(inner.calls).toBe(3);
    expect((await scrape(metrics)).circuit).toBe(1);
  });

  it('shows the circuit half-open while the trial call runs, and other calls wait for its verdict', async () => {
    const { inner, sender, metrics } = setUp({ threshold: 1, halfOpenAfterMs: 100, timeoutMs: 2_000 });
    inner.behaviour = 'fail';
    await failTimes(sender, 1);
    await settle(130);

    inner.behaviour = 'hang';
    const trial = sender.send(message('trial'));
    const waiting = sender.send(message('waiting'));
    await settle(30);
    expect(inner.calls).toBe(2);
    expect((await scrape(metrics)).circuit).toBe(2);
    expect(sender.unavailableFor()).toBe(0);

    inner.behaviour = 'ok';
    inner.release();
    await expect(trial).resolves.toEqual({ providerMessageId: 'late' });
    await expect(waiting).resolves.toEqual({ providerMessageId: 'p-waiting' });
    expect(inner.calls).toBe(3);
    expect((await scrape(metrics)).circuit).toBe(0);
  });

  it('a rejection as the trial call closes the circuit', async () => {
    const { inner, sender, metrics } = setUp({ threshold: 1, halfOpenAfterMs: 50 });
    inner.behaviour = 'fail';
    await failTimes(sender, 1);
    await settle(80);
    inner.behaviour = 'reject';
    await expect(sender.send(message())).rejects.toThrow(ProviderRejectedError);
    expect((await scrape(metrics)).circuit).toBe(0);
    expect(sender.unavailableFor()).toBe(0);
  });

  it('times a hanging provider out, and counts the timeouts towards the breaker', async () => {
    const { inner, sender, metrics } = setUp({ threshold: 2, timeoutMs: 100, halfOpenAfterMs: 5_000 });
    inner.behaviour = 'hang';
    const started = Date.now();
    const error = await sender.send(message()).catch((caught: unknown) => caught);
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('TimeoutError');
    expect((error as Error).message).toBe('scripted: no answer within 100 ms');
    expect(isProviderRejected(error)).toBe(false);
    expect(elapsed).toBeGreaterThanOrEqual(90);
    expect(elapsed).toBeLessThan(1_000);

    await expect(sender.send(message())).rejects.toThrow('no answer within 100 ms');
    await unavailable(sender);
    const scraped = await scrape(metrics);
    expect(scraped.calls.timeout).toBe(2);
    expect(scraped.calls.circuit_open).toBe(1);
    expect(scraped.circuit).toBe(1);
  });

  it('counts a provider’s own timeout error as a timeout', async () => {
    const { inner, sender, metrics } = setUp();
    inner.behaviour = 'timeout-error';
    await expect(sender.send(message())).rejects.toThrow('the provider timed out');
    expect((await scrape(metrics)).calls.timeout).toBe(1);
  });

  it('exposes calls by outcome and the circuit state to Prometheus', async () => {
    const { inner, sender, metrics } = setUp({ threshold: 2, halfOpenAfterMs: 5_000 });
    await sender.send(message());
    inner.behaviour = 'reject';
    await sender.send(message()).catch(() => undefined);
    inner.behaviour = 'fail';
    await failTimes(sender, 2);
    await unavailable(sender);
    await unavailable(sender);
    const text = await metrics.registry.metrics();
    expect(text).toContain('# TYPE aura_notification_provider_calls_total counter');
    expect(text).toContain('aura_notification_provider_calls_total{channel="sms",provider="scripted",outcome="sent"} 1');
    expect(text).toContain('aura_notification_provider_calls_total{channel="sms",provider="scripted",outcome="rejected"} 1');
    expect(text).toContain('aura_notification_provider_calls_total{channel="sms",provider="scripted",outcome="failed"} 2');
    expect(text).toContain('aura_notification_provider_calls_total{channel="sms",provider="scripted",outcome="circuit_open"} 2');
    expect(text).toContain('aura_notification_provider_circuit_state{channel="sms",provider="scripted"} 1');
  });

  it('uses 5 failures and 60 s by default', async () => {
    const inner = new ScriptedSender();
    const sender = new ResilientSender(inner, { channel: 'sms', timeoutMs: 1_000 }, newMetrics());
    inner.behaviour = 'fail';
    await failTimes(sender, 4);
    expect(sender.unavailableFor()).toBe(0);
    await failTimes(sender, 1);
    expect(sender.unavailableFor()).toBeGreaterThan(59_000);
    expect(sender.unavailableFor()).toBeLessThanOrEqual(60_000);
  });

  it('refuses nonsensical options', () => {
    const inner = new ScriptedSender();
    const metrics = newMetrics();
    expect(() => new ResilientSender(inner, { channel: 'sms', timeoutMs: 1_000, threshold: 0 }, metrics)).toThrow(RangeError);
    expect(() => new ResilientSender(inner, { channel: 'sms', timeoutMs: 1_000, threshold: 1.5 }, metrics)).toThrow(RangeError);
    expect(() => new ResilientSender(inner, { channel: 'sms', timeoutMs: 1_000, halfOpenAfterMs: -1 }, metrics)).toThrow(
      RangeError,
    );
    expect(() => new ResilientSender(inner, { channel: 'sms', timeoutMs: 0 }, metrics)).toThrow(RangeError);
  });

  it('closes the wrapped sender when it can be closed', async () => {
    let closed = 0;
    const closable = Object.assign(new ScriptedSender(), {
      close: async () => {
        closed += 1;
      },
    });
    await new ResilientSender(closable, { channel: 'sms', timeoutMs: 1_000 }, newMetrics()).close();
    expect(closed).toBe(1);
    await expect(
      new ResilientSender(new ScriptedSender(), { channel: 'sms', timeoutMs: 1_000 }, newMetrics()).close(),
    ).resolves.toBe(undefined);
  });
});
