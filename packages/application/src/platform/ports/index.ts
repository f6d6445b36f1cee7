export type { IssuedAccessToken } from './access-token-issuer.port.js';
export { AccessTokenIssuer } from './access-token-issuer.port.js';
export type { InvalidAccessToken, VerifiedAccessToken } from './access-token-verifier.port.js';
export { AccessGuard, AccessTokenVerifier } from './access-token-verifier.port.js';
export { Clock } from './clock.port.js';
export type { ExecutionScope } from './execution-context.port.js';
export { ExecutionContext } from './execution-context.port.js';
export type { HealthReport, HealthState } from './health.port.js';
export { HealthIndicator } from './health.port.js';
export { IdGenerator } from './id-generator.port.js';
export type {
  BackoffPolicy,
  EnqueueOptions,
  JobContext,
  JobHandler,
  JobToEnqueue,
  QueueCounts,
  QueueName,
  WorkerOptions,
} from './job-queue.port.js';
export { isPermanentJobError, isPostponeJob, JobQueue, PermanentJobError, PostponeJob } from './job-queue.port.js';
export type { LogFields } from './logger.port.js';
export { Logger } from './logger.port.js';
export { Outbox } from './outbox.port.js';
export type { RateLimitDecision, RateLimitPolicy } from './rate-limiter.port.js';
export { RateLimiter } from './rate-limiter.port.js';
export { UnitOfWork } from './unit-of-work.port.js';
