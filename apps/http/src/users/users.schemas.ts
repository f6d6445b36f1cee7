import type { TokenPair, UserView } from '@aura/application/users';
import { z } from 'zod';
import { text } from '../platform/schemas.js';

export const userSchema = z
  .object({
    id: z.uuid(),
    email: z.email(),
    displayName: z.string(),
    role: z.enum(['patient', 'therapist', 'admin']),
    status: z.enum(['pending_verification', 'active', 'deactivated']),
    emailVerified: z.boolean(),
    timeZone: z.string().meta({ example: 'Europe/Paris' }),
    locale: z.string().meta({ example: 'en' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    deactivatedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'User', description: 'An account. Never carries the password or its hash.' });

export const tokenPairSchema = z
  .object({
    accessToken: z.string().meta({ description: 'JWT (EdDSA) to send as `Authorization: Bearer <accessToken>`.' }),
    refreshToken: z.string().meta({ description: 'Opaque; exchange it once at /api/auth/refresh. Keep it secret.' }),
    expiresIn: z.number().int().meta({ description: 'Seconds until the access token expires.' }),
    refreshTokenExpiresAt: z.iso.datetime(),
    tokenType: z.literal('Bearer'),
  })
  .meta({ id: 'TokenPair' });

export const securityEventSchema = z
  .object({
    id: z.uuid(),
    type: z.string().meta({ example: 'login_failed' }),
    userId: z.uuid().nullable(),
    actorId: z.uuid().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    correlationId: z.string().nullable(),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    occurredAt: z.iso.datetime(),
  })
  .meta({ id: 'SecurityEvent', description: 'An entry of the security audit trail.' });

export const acceptedSchema = z.object({ status: z.literal('accepted'), message: z.string() }).meta({ id: 'Accepted' });

/** An address to look an account up by (login, resend, reset): any text; one that is no account's simply matches none. */
export const emailField = text({ min: 1, max: 320 }).meta({ example: 'ada@example.com' });
/** An opaque token or code handed out by Aura. */
export const tokenField = text({ min: 1, max: 200 });

export const toUserJson = (user: UserView): z.input<typeof userSchema> => ({
  ...user,
  createdAt: user.createdAt.toISOString(),
  updatedAt: user.updatedAt.toISOString(),
  deactivatedAt: user.deactivatedAt?.toISOString() ?? null,
});

export const toTokenJson = (pair: TokenPair): z.input<typeof tokenPairSchema> => ({
  accessToken: pair.accessToken,
  refreshToken: pair.refreshToken,
  expiresIn: pair.expiresIn,
  refreshTokenExpiresAt: pair.refreshExpiresAt.toISOString(),
  tokenType: pair.tokenType,
});
