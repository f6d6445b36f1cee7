export { InMemoryCalendarTokenStore } from './in-memory-calendar-token.store.js';
export type { SessionEventSink } from './in-memory-session.repository.js';
export { InMemorySessionRepository } from './in-memory-session.repository.js';
export { InMemoryTherapistRepository } from './in-memory-therapist.repository.js';
