import { parseEmail } from '@aura/domain/users';
import { z } from 'zod';
import { defineIntegrationEvent } from '../platform/events/integration-event.js';

/** The domain's address rules (zod's own `z.email()` is stricter and would refuse valid accounts). */
const email = z.string().refine((value) => parseEmail(value).isOk(), { error: 'must be an email address' });
const role = z.enum(['patient', 'therapist', 'admin']);
const status = z.enum(['pending_verification', 'active', 'deactivated']);

/** The users module's integration events (ARCHITECTURE.md catalogue). None carries a secret. */
export const userRegistered = defineIntegrationEvent({
  type: 'user.registered',
  version: 1,
  sourceModule: 'users',
  schema: z.strictObject({
    userId: z.uuid(),
    email,
    displayName: z.string().min(1),
    role,
    status,
    timeZone: z.string().min(1),
    locale: z.string().min(1),
  }),
});
export const userEmailVerified = defineIntegrationEvent({
  type: 'user.email_verified',
  version: 1,
  sourceModule: 'users',
  schema: z.strictObject({ userId: z.uuid(), email }),
});
export const userUpdated = defineIntegrationEvent({
  type: 'user.updated',
  version: 1,
  sourceModule: 'users',
  schema: z.strictObject({
    userId: z.uuid(),
    changes: z.strictObject({
      displayName: z.string().min(1).optional(),
      timeZone: z.string().min(1).optional(),
      locale: z.string().min(1).optional(),
    }),
  }),
});
export const userDeactivated = defineIntegrationEvent({
  type: 'user.deactivated',
  version: 1,
  sourceModule: 'users',
  schema: z.strictObject({ userId: z.uuid(), deactivatedBy: z.uuid().nullable(), reason: z.string().nullable() }),
});
export const userReactivated = defineIntegrationEvent({
  type: 'user.reactivated',
  version: 1,
  sourceModule: 'users',
  schema: z.strictObject({ userId: z.uuid(), reactivatedBy: z.uuid().nullable(), status }),
});
export const userPasswordChanged = defineIntegrationEvent({
  type: 'user.password_changed',
  version: 1,
  sourceModule: 'users',
  schema: z.strictObject({ userId: z.uuid(), reason: z.enum(['changed', 'reset']) }),
});

export const usersEvents = [
  userRegistered,
  userEmailVerified,
  userUpdated,
  userDeactivated,
  userReactivated,
  userPasswordChanged,
];
