import {
  type ChannelSender,
  isProviderRejected,
  type OutgoingMessage,
  ProviderUnavailableError,
  type SendReceipt,
} from '@aura/application/notifications';
import type { Channel } from '@aura/domain/notifications';
import {
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  type IPolicy,
  isBrokenCircuitError,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import type { AuraMetrics } from '../../platform/observability/metrics.js';

export interface ResilientSenderOptions {
  readonly channel: Channel;
  /** Consecutive retryable failures (errors and timeouts) that open the circuit. Default 5. */
  readonly threshold?: number;
  /** How long the circuit stays open before one trial call is let through. Default 60 s. */
  readonly halfOpenAfterMs?: number;
  /** Bound on one call to the provider; a call that takes longer counts as a failure. */
  readonly timeoutMs: number;
}

type CallOutcome = 'sent' | 'rejected' | 'failed' | 'timeout' | 'circuit_open';

const DEFAULT_THRESHOLD = 5;
const DEFAULT_HALF_OPEN_AFTER_MS = 60_000;

/** The circuit gauge's values: 0 closed, 1 open, 2 half-open. */
function gaugeValue(state: CircuitState): number {
  if (state === CircuitState.Closed) return 0;
  if (state === CircuitState.HalfOpen) return 2;
  return 1;
}

/**
 * The timeout policy's error. Not cockatiel's `isTaskCancelledError`: in 3.2.1 it tests for the
 * bulkhead's marker property and never recognises a TaskCancelledError.
 */
const isTaskCancelledError = (error: unknown) => error instanceof Error && 'isTaskCancelledError' in error;

const isTimeout = (error: unknown) =>
  isTaskCancelledError(error) ||
  (error instanceof Error && error.name === 'TimeoutError') ||
  (error as { code?: unknown } | null)?.code === 'ETIMEDOUT';

/** A rejection travels through the breaker as a value: to the breaker it is a provider that answered. */
type Attempt = { receipt: SendReceipt } | { rejection: unknown };

/**
 * A provider behind a timeout and a circuit breaker (one per provider and process).
 *
 * `threshold` consecutive failures (errors, timeouts) open the circuit: calls are then refused
 * at once with {@link ProviderUnavailableError} (the delivery job postpones the message without
 * spending an attempt) until `halfOpenAfterMs` have passed; the next call is a trial that closes
 * the circuit when it succeeds and opens it again when it fails. A refusal of the message
 * (`ProviderRejectedError`) is the provider working: it never opens the circuit, and it
 * ends a streak of failures as a success does.
 */
export class ResilientSender implements ChannelSender {
  readonly provider: string;
  private readonly channel: Channel;
  private readonly timeoutMs: number;
  private readonly halfOpenAfterMs: number;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly policy: IPolicy;
  /** When the circuit last opened (ms since the epoch). */
  private openedAt = 0;

  constructor(
    private readonly inner: ChannelSender,
    options: ResilientSenderOptions,
    private readonly metrics: AuraMetrics,
  ) {
    const threshold = options.threshold ?? DEFAULT_THRESHOLD;
    const halfOpenAfterMs = options.halfOpenAfterMs ?? DEFAULT_HALF_OPEN_AFTER_MS;
    if (!Number.isInteger(threshold) || threshold < 1)
      throw new RangeError(`threshold must be a whole number ≥ 1 (got ${threshold})`);
    if (!Number.isFinite(halfOpenAfterMs) || halfOpenAfterMs < 0) {
      throw new RangeError(`halfOpenAfterMs must be ≥ 0 (got ${halfOpenAfterMs})`);
    }
    if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) {
      throw new RangeError(`timeoutMs must be > 0 (got ${options.timeoutMs})`);
    }
    this.provider = inner.provider;
    this.channel = options.channel;
    this.timeoutMs = options.timeoutMs;
    this.halfOpenAfterMs = halfOpenAfterMs;
    // Rejections never reach the filter (they are values, see send); it is the second line.
    this.breaker = circuitBreaker(
      handleWhen((error) => !isProviderRejected(error)),
      {
        halfOpenAfter: halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(threshold),
      },
    );
    this.breaker.onStateChange((state) => {
      if (state === CircuitState.Open) this.openedAt = Date.now();
      this.metrics.providerCircuit.set(this.labels(), gaugeValue(state));
    });
    // Aggressive: a provider that ignores cancellation still frees the caller on time.
    this.policy = wrap(this.breaker, timeout(this.timeoutMs, TimeoutStrategy.Aggressive));
    this.metrics.providerCircuit.set(this.labels(), 0);
  }

  async send(message: OutgoingMessage): Promise<SendReceipt> {
    let attempt: Attempt;
    try {
      // A signal of its own per call: cockatiel's timeout listens on it, and one shared signal
      // would collect a listener per concurrent send.
      attempt = await this.policy.execute(async (): Promise<Attempt> => {
        try {
          return { receipt: await this.inner.send(message) };
        } catch (error) {
          if (isProviderRejected(error)) return { rejection: error };
          throw error;
        }
      }, new AbortController().signal);
    } catch (error) {
      throw this.failure(error);
    }
    if ('rejection' in attempt) {
      this.count('rejected');
      throw attempt.rejection;
    }
    this.count('sent');
    return attempt.receipt;
  }

  unavailableFor(): number {
    if (this.breaker.state !== CircuitState.Open) return 0;
    return Math.max(0, this.openedAt + this.halfOpenAfterMs - Date.now());
  }

  /** Closes the wrapped sender when it holds resources (the SMTP pool). */
  async close(): Promise<void> {
    const closable = this.inner as ChannelSender & { close?: () => Promise<void> | void };
    await closable.close?.();
  }

  private failure(error: unknown): unknown {
    if (isBrokenCircuitError(error)) {
      this.count('circuit_open');
      // At least 1 ms: the breaker refused, so the caller must not try again at once.
      const retryAfterMs = Math.max(1, this.unavailableFor());
      return new ProviderUnavailableError(
        `the ${this.provider} circuit is open: calls resume in ${retryAfterMs} ms`,
        retryAfterMs,
      );
    }
    if (isTaskCancelledError(error)) {
      this.count('timeout');
      const timedOut = new Error(`${this.provider}: no answer within ${this.timeoutMs} ms`, { cause: error });
      timedOut.name = 'TimeoutError';
      return timedOut;
    }
    this.count(isTimeout(error) ? 'timeout' : 'failed');
    return error;
  }

  private count(outcome: CallOutcome): void {
    this.metrics.providerCalls.inc({ ...this.labels(), outcome });
  }

  private labels(): { channel: Channel; provider: string } {
    return { channel: this.channel, provider: this.provider };
  }
}
