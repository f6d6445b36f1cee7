/**
 * `@aura/adapters/platform/redis`: the Redis adapters (BullMQ queue, Redis rate limiter), in an
 * entry of their own so that importing `@aura/adapters` does not load BullMQ and ioredis for
 * an embedded process that never uses them; `createAura` loads them when REDIS_URL is set.
 */
export type { BullmqJobQueueOptions } from '../queue/bullmq-job-queue.js';
export { BullmqJobQueue } from '../queue/bullmq-job-queue.js';
export type { RedisRateLimiterOptions } from '../rate-limit/redis-rate-limiter.js';
export { RedisRateLimiter } from '../rate-limit/redis-rate-limiter.js';
