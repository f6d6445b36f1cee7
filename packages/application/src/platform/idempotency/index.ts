export type { IdempotencyBegin, IdempotentRequest, StoredResponse } from './idempotency-store.port.js';
export { IDEMPOTENCY_LIMITS, IdempotencyStore } from './idempotency-store.port.js';
export { PURGE_IDEMPOTENCY_KEYS_QUEUE, PurgeIdempotencyKeys } from './purge-idempotency-keys.job.js';
