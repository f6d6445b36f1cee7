export { CryptoSecretTokens } from './crypto-secret.tokens.js';
export { IcalCalendarRenderer } from './ical-calendar.renderer.js';
export { KyselyCalendarTokenStore } from './kysely-calendar-token.store.js';
export { KyselySessionRepository } from './kysely-session.repository.js';
export { KyselyTherapistRepository } from './kysely-therapist.repository.js';
export { therapyModule } from './therapy.module.js';
export { therapySettingsFrom } from './therapy.settings.js';
