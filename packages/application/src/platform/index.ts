export type { Actor, Forbidden, Role } from './actor.js';
export { ROLES, requireRole } from './actor.js';
export * from './dead-letters/index.js';
export * from './events/index.js';
export * from './idempotency/index.js';
export * from './modules/index.js';
export type { Page } from './pagination.js';
export { MAX_PAGE_SIZE, pageOf } from './pagination.js';
export * from './ports/index.js';
