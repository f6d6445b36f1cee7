import type { RateLimitDecision, RateLimiter, RateLimitPolicy } from '@aura/application/platform';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { consumeWith, memoryLimiter, policyId } from './memory-rate-limiter.js';

export interface RedisRateLimiterOptions {
  /** `redis://[user:password@]host:port[/db]` */
  readonly url: string;
  /** Key prefix shared by every process of one deployment (e.g. the queue prefix); keys are `<prefix>:rl:<policy>:<key>`. */
  readonly prefix: string;
  /** How long one Redis round trip may take before this process falls back to counting in memory. Default 500 ms. */
  readonly commandTimeoutMs?: number;
  /** Connection errors (ioredis reconnects by itself meanwhile). Default: ignored. Wire it to the logger. */
  readonly onError?: (error: Error) => void;
}

const COMMAND_TIMEOUT_MS = 500;
const CONNECT_TIMEOUT_MS = 5_000;
const QUIT_TIMEOUT_MS = 1_000;

/**
 * The production `RateLimiter`: fixed windows counted in Redis, shared by every process.
 * Each consume is one Lua script (SET NX EX + INCRBY + PTTL), so concurrent requests from
 * any number of processes never let more than `limit` through in a window.
 *
 * Redis being down must not take the API down. The client does not queue commands while
 * disconnected (`enableOfflineQueue: false`) and gives up on a command after
 * `commandTimeoutMs`, so a failing or unreachable Redis answers at once with an error; each
 * policy's RateLimiterRedis then asks its `insuranceLimiter`, a RateLimiterMemory with the
 * same limit and window, which keeps limiting per process (a client may then get up to
 * N × limit across N processes) until Redis is back; ioredis reconnects by itself. The same
 * happens for the few requests that arrive before the first connection is ready, and after
 * `close()`.
 *
 * A key already refused by Redis in this window is refused from memory until the window
 * ends (`inMemoryBlockOnConsumed`), so a client hammering past its limit costs no Redis
 * round trips.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly client: Redis;
  private readonly limiters = new Map<string, RateLimiterRedis>();
  private closing: Promise<void> | undefined;

  constructor(private readonly options: RedisRateLimiterOptions) {
    this.client = new Redis(options.url, {
      enableOfflineQueue: false,
      commandTimeout: options.commandTimeoutMs ?? COMMAND_TIMEOUT_MS,
      connectTimeout: CONNECT_TIMEOUT_MS,
      maxRetriesPerRequest: 1,
    });
    // Without a listener ioredis prints every failed reconnect to stderr.
    this.client.on('error', (error: Error) => {
      try {
        this.options.onError?.(error);
      } catch {
        // an observer's failure must not change anything
      }
    });
  }

  async consume(policy: RateLimitPolicy, key: string): Promise<RateLimitDecision> {
    return consumeWith(this.limiterFor(policy), policy, key);
  }

  /** Quits the Redis connection (bounded, for an unreachable Redis). Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.client.status !== 'ready') {
      this.client.disconnect();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const quit = this.client.quit().then(
      () => true,
      () => false,
    );
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), QUIT_TIMEOUT_MS);
    });
    const quitted = await Promise.race([quit, timeout]);
    clearTimeout(timer);
    if (!quitted) this.client.disconnect();
  }

  private limiterFor(policy: RateLimitPolicy): RateLimiterRedis {
    const id = policyId(policy);
    let limiter = this.limiters.get(id);
    if (limiter === undefined) {
      const keyPrefix = `${this.options.prefix}:rl:${policy.name}`;
      limiter = new RateLimiterRedis({
        storeClient: this.client,
        keyPrefix,
        points: policy.limit,
        duration: policy.windowSeconds,
        inMemoryBlockOnConsumed: policy.limit + 1,
        // Per-process fallback while Redis is unreachable: see the class comment.
        insuranceLimiter: memoryLimiter(policy, keyPrefix),
      });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}
