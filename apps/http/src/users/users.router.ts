import type { Aura } from '@aura/adapters/platform';
import { MAX_PAGE_SIZE } from '@aura/application/platform';
import { DeactivateUser, GetUser, ListSecurityEvents, ListUsers, ReactivateUser, UpdateProfile } from '@aura/application/users';
import { DISPLAY_NAME_MAX } from '@aura/domain/users';
import { z } from 'zod';
import type { HttpApi } from '../platform/http-api.js';
import type { HttpModule } from '../platform/http-module.js';
import { displayText, languageTag, nonBlankText, timeZoneName } from '../platform/schemas.js';
import { clientOf, profileErrors, registerAuthRoutes } from './auth.router.js';
import { securityEventSchema, toUserJson, userSchema } from './users.schemas.js';

const tags = ['Users'];
const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
/** Lower-cased: the same id in any case is the same account (PostgreSQL compares uuids that way too). */
const idParams = z.object({ id: z.uuid().transform((id) => id.toLowerCase()) });
const notFound = { 'users.user_not_found': { status: 404, description: 'No such user.' } } as const;

function registerUserRoutes(api: HttpApi, aura: Aura): void {
  api.route({
    method: 'get',
    path: '/api/users/me',
    operationId: 'getMe',
    summary: 'My account',
    tags,
    auth: true,
    success: { status: 200, description: 'The caller’s account.', schema: userSchema },
    errors: notFound,
    handler: async ({ actor }) => {
      const get = await aura.get(GetUser);
      return get.execute({ actor, userId: actor.userId }).map(toUserJson);
    },
  });

  api.route({
    method: 'patch',
    path: '/api/users/me',
    operationId: 'updateMe',
    summary: 'Change my name, time zone or locale',
    tags,
    auth: true,
    request: {
      body: z
        .strictObject({
          displayName: displayText(DISPLAY_NAME_MAX).optional(),
          timeZone: timeZoneName().optional().meta({ example: 'America/Sao_Paulo' }),
          locale: languageTag().optional(),
        })
        .refine((body) => Object.keys(body).length > 0, { error: 'send at least one of displayName, timeZone, locale' })
        .meta({ minProperties: 1 }),
    },
    examples: {
      name: { summary: 'A new display name', value: { displayName: 'Ada King' } },
      place: { summary: 'Moved to Brazil', value: { timeZone: 'America/Sao_Paulo', locale: 'pt-BR' } },
    },
    success: { status: 200, description: 'The updated account.', schema: userSchema },
    errors: {
      'users.invalid_display_name': profileErrors['users.invalid_display_name'],
      'users.invalid_time_zone': profileErrors['users.invalid_time_zone'],
      'users.invalid_locale': profileErrors['users.invalid_locale'],
      ...notFound,
    },
    handler: async ({ actor, body }) => {
      const update = await aura.get(UpdateProfile);
      return update.execute({ actor: actor, ...body }).map(toUserJson);
    },
  });

  api.route({
    method: 'get',
    path: '/api/users',
    operationId: 'listUsers',
    summary: 'List accounts',
    description: 'Oldest first; filter by role and status; page with `cursor` = the previous page’s `nextCursor`.',
    tags,
    auth: ['admin'],
    request: {
      query: z.strictObject({
        role: z.enum(['patient', 'therapist', 'admin']).optional(),
        status: z.enum(['pending_verification', 'active', 'deactivated']).optional(),
        limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
        cursor: z.uuid().optional(),
      }),
    },
    success: { status: 200, description: 'A page of accounts.', schema: page(userSchema) },
    handler: async ({ actor, query }) => {
      const list = await aura.get(ListUsers);
      return list
        .execute({ actor: actor, ...query })
        .map((result) => ({ items: result.items.map(toUserJson), nextCursor: result.nextCursor }));
    },
  });

  api.route({
    method: 'get',
    path: '/api/users/:id',
    operationId: 'getUser',
    summary: 'An account',
    description: 'Admins read any account; others only their own (anyone else’s is a 404).',
    tags,
    auth: true,
    request: { params: idParams },
    success: { status: 200, description: 'The account.', schema: userSchema },
    errors: notFound,
    handler: async ({ actor, params }) => {
      const get = await aura.get(GetUser);
      return get.execute({ actor: actor, userId: params.id }).map(toUserJson);
    },
  });

  api.route({
    method: 'post',
    path: '/api/users/:id/deactivate',
    operationId: 'deactivateUser',
    summary: 'Deactivate an account',
    description: 'Ends every session at once: refresh tokens are revoked and the user’s still-valid access tokens are refused.',
    tags,
    auth: ['admin'],
    request: {
      params: idParams,
      body: z
        .strictObject({
          reason: nonBlankText(500)
            .transform((reason) => reason.trim())
            .optional(),
        })
        .nullish(),
    },
    examples: { reason: { summary: 'Why (kept in the audit trail)', value: { reason: 'left the practice' } } },
    success: { status: 200, description: 'The deactivated account.', schema: userSchema },
    errors: {
      ...notFound,
      'users.already_deactivated': { status: 409, description: 'The account is already deactivated.' },
      'users.cannot_deactivate_self': { status: 409, description: 'Admins cannot deactivate themselves.' },
    },
    handler: async ({ actor, params, body, req }) => {
      const deactivate = await aura.get(DeactivateUser);
      return deactivate.execute({ actor: actor, userId: params.id, reason: body?.reason, client: clientOf(req) }).map(toUserJson);
    },
  });

  api.route({
    method: 'post',
    path: '/api/users/:id/reactivate',
    operationId: 'reactivateUser',
    summary: 'Reactivate an account',
    description: 'Active again (or pending verification if the address was never verified). Old tokens stay revoked.',
    tags,
    auth: ['admin'],
    request: { params: idParams },
    success: { status: 200, description: 'The reactivated account.', schema: userSchema },
    errors: { ...notFound, 'users.not_deactivated': { status: 409, description: 'The account is not deactivated.' } },
    handler: async ({ actor, params, req }) => {
      const reactivate = await aura.get(ReactivateUser);
      return reactivate.execute({ actor: actor, userId: params.id, client: clientOf(req) }).map(toUserJson);
    },
  });

  api.route({
    method: 'get',
    path: '/api/users/:id/security-events',
    operationId: 'listSecurityEvents',
    summary: 'An account’s security audit trail',
    description: 'Logins, failures, lockouts, refresh-token reuse, password and status changes; newest first.',
    tags,
    auth: ['admin'],
    request: {
      params: idParams,
      query: z.strictObject({
        limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
        cursor: z.uuid().optional(),
      }),
    },
    success: { status: 200, description: 'A page of security events.', schema: page(securityEventSchema) },
    handler: async ({ actor, params, query }) => {
      const list = await aura.get(ListSecurityEvents);
      return list.execute({ actor: actor, userId: params.id, ...query }).map((result) => ({
        items: result.items.map((event) => ({
          ...event,
          details: { ...event.details },
          occurredAt: event.occurredAt.toISOString(),
        })),
        nextCursor: result.nextCursor,
      }));
    },
  });
}

/** The users module over HTTP: `/api/auth/*` and `/api/users/*`. */
export const usersHttpModule: HttpModule = {
  module: 'users',
  register(api, aura) {
    registerAuthRoutes(api, aura);
    registerUserRoutes(api, aura);
  },
};
