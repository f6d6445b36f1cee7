export { InMemoryLoginThrottleStore } from './in-memory-login-throttle.store.js';
export { InMemoryOneTimeTokenStore } from './in-memory-one-time-token.store.js';
export { InMemorySecurityAuditLog } from './in-memory-security-audit.log.js';
export type { InMemoryRefreshTokenFamily } from './in-memory-session.store.js';
export { InMemorySessionStore } from './in-memory-session.store.js';
export type { InMemoryEventSink } from './in-memory-user.repository.js';
export { InMemoryUserRepository } from './in-memory-user.repository.js';
