export type { IdempotencyBegin, IdempotentRequest, StoredResponse } from './idempotency-store.port.js';
export { IdempotencyStore } from './idempotency-store.port.js';
