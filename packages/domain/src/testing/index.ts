/**
 * fast-check arbitraries for Aura's domain, for property tests in Aura and in the apps that
 * embed it. Import from `@aura/domain/testing` (fast-check is a peer dependency).
 */

export * from './notifications.arbitraries.js';
export * from './platform.arbitraries.js';
export * from './therapy.arbitraries.js';
export * from './users.arbitraries.js';
