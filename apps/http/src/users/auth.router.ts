import type { Aura } from '@aura/adapters/platform';
import {
  ChangePassword,
  ConfirmPasswordReset,
  Login,
  Logout,
  LogoutEverywhere,
  RefreshSession,
  RegisterUser,
  RequestAccountEmail,
  VerifyEmail,
} from '@aura/application/users';
import { DISPLAY_NAME_MAX } from '@aura/domain/users';
import type { Request } from 'express';
import { ok } from 'neverthrow';
import { z } from 'zod';
import type { HttpApi } from '../platform/http-api.js';
import { displayText, emailAddress, languageTag, newPassword, text, timeZoneName } from '../platform/schemas.js';
import { acceptedSchema, emailField, tokenField, tokenPairSchema, toTokenJson, toUserJson, userSchema } from './users.schemas.js';

export const clientOf = (req: Request) => ({ ip: req.ip, userAgent: req.get('user-agent') });

/**
 * Registration answers no sooner than this (201 or 409 alike). The two outcomes already do the
 * same work (a password hash, one transaction, one audit entry); the floor also hides what
 * differs after that (commit against rollback, the worker's reaction to the new account).
 */
export const REGISTRATION_MINIMUM_MS = 250;
/**
 * Resend-verification and reset requests answer no sooner than this: the email they may
 * cause is sent by the worker, and when the worker shares the process (embedded mode) its
 * work is done before the answer leaves, instead of slowing the caller's next request.
 */
export const ACCOUNT_EMAIL_REQUEST_MINIMUM_MS = 100;

/** Rules a well-formed value can still break (the schema states its form). */
export const profileErrors = {
  'users.invalid_email': { status: 422, description: 'The email address is not valid.' },
  'users.invalid_display_name': { status: 422, description: 'The display name is not valid.' },
  'users.invalid_time_zone': { status: 422, description: 'No IANA time zone has this name.' },
  'users.invalid_locale': { status: 422, description: 'The locale is not a BCP 47 language tag.' },
} as const;
const weakPassword = {
  status: 422,
  description: 'The password is too easy to guess; the detail says why and how to do better.',
};
const tokenErrors = {
  'users.invalid_token': { status: 422, description: 'The token is unknown, already used or for something else.' },
  'users.token_expired': { status: 422, description: 'The token has expired; ask for a new one.' },
} as const;

const accepted = (message: string) => ok({ status: 'accepted' as const, message });

/** `/api/auth/*`: registration, verification, login, refresh-token rotation, logout, password reset. */
export function registerAuthRoutes(api: HttpApi, aura: Aura): void {
  const rateLimit = {
    name: 'auth',
    limit: aura.config.AUTH_RATE_LIMIT_MAX,
    windowSeconds: aura.config.AUTH_RATE_LIMIT_WINDOW_S,
  };
  const tags = ['Authentication'];

  api.route({
    method: 'post',
    path: '/api/auth/register',
    operationId: 'register',
    summary: 'Register as a patient or a therapist',
    description:
      'Creates an account waiting for email verification; a verification code is emailed (in development: see GET /dev/mailbox). A taken address answers 409 after the same work as a success, and both answers take at least 250 ms, so response times do not reveal accounts.',
    tags,
    rateLimit,
    minimumDurationMs: REGISTRATION_MINIMUM_MS,
    request: {
      body: z.strictObject({
        email: emailAddress(),
        password: newPassword(),
        displayName: displayText(DISPLAY_NAME_MAX).meta({ example: 'Ada Lovelace' }),
        role: z.enum(['patient', 'therapist']).default('patient'),
        timeZone: timeZoneName().optional().meta({ description: 'IANA name; default UTC.' }),
        locale: languageTag().optional().meta({ description: 'BCP 47 tag; default en.' }),
      }),
    },
    examples: {
      patient: {
        summary: 'A patient',
        value: {
          email: 'ada@example.com',
          password: 'correct horse battery staple',
          displayName: 'Ada Lovelace',
          timeZone: 'Europe/London',
          locale: 'en-GB',
        },
      },
      therapist: {
        summary: 'A therapist',
        value: {
          email: 'grace@example.org',
          password: 'violet kettle marching anthem',
          displayName: 'Grace Hopper',
          role: 'therapist',
        },
      },
    },
    success: { status: 201, description: 'The new account (pending verification).', schema: userSchema },
    errors: {
      ...profileErrors,
      'users.weak_password': weakPassword,
      'users.email_taken': { status: 409, description: 'An account with this email address already exists.' },
    },
    handler: async ({ body, req }) => {
      const register = await aura.get(RegisterUser);
      return register.execute({ ...body, client: clientOf(req) }).map(toUserJson);
    },
  });

  api.route({
    method: 'post',
    path: '/api/auth/verify-email',
    operationId: 'verifyEmail',
    summary: 'Confirm an email address with the emailed code',
    tags,
    rateLimit,
    request: { body: z.strictObject({ token: tokenField }) },
    examples: { code: { summary: 'The code from the email', value: { token: 'Xk3vQ9pL2mN8rT5wY7zA1bC4dE6fG0hJ' } } },
    success: { status: 200, description: 'The account, now active.', schema: userSchema },
    errors: {
      ...tokenErrors,
      'users.email_already_verified': { status: 409, description: 'The address is already verified.' },
      'users.account_deactivated': { status: 403, description: 'The account is deactivated.' },
    },
    handler: async ({ body, req }) => {
      const verify = await aura.get(VerifyEmail);
      return verify.execute({ token: body.token, client: clientOf(req) }).map(toUserJson);
    },
  });

  api.route({
    method: 'post',
    path: '/api/auth/resend-verification',
    operationId: 'resendVerification',
    summary: 'Send the verification email again',
    description:
      'Always 202, whether or not the address has an account waiting for verification (so the answer reveals nothing). At most one email per account per AUTH_ACCOUNT_EMAIL_INTERVAL_S.',
    tags,
    rateLimit,
    minimumDurationMs: ACCOUNT_EMAIL_REQUEST_MINIMUM_MS,
    request: { body: z.strictObject({ email: emailField }) },
    examples: { address: { summary: 'The address registered with', value: { email: 'ada@example.com' } } },
    success: {
      status: 202,
      description: 'If the address has an unverified account, a new code is on its way.',
      schema: acceptedSchema,
    },
    handler: async ({ body }) => {
      await (await aura.get(RequestAccountEmail)).execute('verification', body.email);
      return accepted('if this address has an account waiting for verification, a new code is on its way');
    },
  });

  api.route({
    method: 'post',
    path: '/api/auth/login',
    operationId: 'login',
    summary: 'Log in with email and password',
    description:
      'Returns a short-lived access token and a refresh token. An unknown address and a wrong password get the same 401. After AUTH_LOCKOUT_THRESHOLD failures within AUTH_LOCKOUT_WINDOW_S, the account is locked for AUTH_LOCKOUT_DURATION_S (429 with Retry-After).',
    tags,
    rateLimit,
    request: { body: z.strictObject({ email: emailField, password: text({ min: 1, max: 1024 }) }) },
    examples: {
      credentials: {
        summary: 'Email and password',
        value: { email: 'ada@example.com', password: 'correct horse battery staple' },
      },
    },
    success: { status: 200, description: 'Tokens.', schema: tokenPairSchema },
    errors: {
      'users.invalid_credentials': { status: 401, description: 'Unknown email address or wrong password.' },
      'users.email_not_verified': { status: 403, description: 'Verify the email address first.' },
      'users.account_deactivated': { status: 403, description: 'The account is deactivated.' },
      'users.account_locked': { status: 429, description: 'Too many failed logins; wait `Retry-After` seconds.' },
    },
    handler: async ({ body, req }) => {
      const login = await aura.get(Login);
      return login.execute({ email: body.email, password: body.password, client: clientOf(req) }).map(toTokenJson);
    },
  });

  api.route({
    method: 'post',
    path: '/api/auth/refresh',
    operationId: 'refreshTokens',
    summary: 'Exchange a refresh token for new tokens',
    description:
      'The refresh token is rotated: the one sent stops working and a new one is returned. Sending a refresh token that was already used ends every session of its family (it was probably stolen).',
    tags,
    rateLimit,
    request: { body: z.strictObject({ refreshToken: tokenField }) },
    examples: { token: { summary: 'The refresh token last received', value: { refreshToken: 'r3fR3shT0k3nFr0mL0g1nXyZ' } } },
    success: { status: 200, description: 'New tokens.', schema: tokenPairSchema },
    errors: {
      'users.invalid_refresh_token': { status: 401, description: 'Unknown, expired or revoked refresh token.' },
      'users.refresh_token_reused': { status: 401, description: 'Already used: its family is now revoked.' },
    },
    handler: async ({ body, req }) => {
      const refresh = await aura.get(RefreshSession);
      return refresh.execute({ refreshToken: body.refreshToken, client: clientOf(req) }).map(toTokenJson);
    },
  });

  api.route({
    method: 'post',
    path: '/api/auth/logout',
    operationId: 'logout',
    summary: 'End the session of a refresh token',
    description: 'Revokes the refresh token and every token rotated from the same login. Idempotent.',
    tags,
    rateLimit,
    request: { body: z.strictObject({ refreshToken: tokenField }) },
    examples: { token: { summary: 'The session’s refresh token', value: { refreshToken: 'r3fR3shT0k3nFr0mL0g1nXyZ' } } },
    success: { status: 204, description: 'Logged out.' },
    handler: async ({ body, req }) => {
      const logout = await aura.get(Logout);
      return logout.execute({ refreshToken: body.refreshToken, client: clientOf(req) });
    },
  });

  api.route({
    method: 'post',
    path: '/api/auth/logout-all',
    operationId: 'logoutEverywhere',
    summary: 'End every session of the caller',
    description: 'Revokes all refresh tokens; access tokens issued before now are refused too.',
    tags,
    rateLimit,
    auth: true,
    success: {
      status: 200,
      description: 'How many sessions were ended.',
      schema: z.object({ revokedSessions: z.number().int() }),
    },
    handler: async ({ actor, req }) => {
      const logoutAll = await aura.get(LogoutEverywhere);
      return logoutAll.execute({ actor: actor, client: clientOf(req) });
    },
  });

  api.route({
    method: 'post',
    path: '/api/auth/password-reset/request',
    operationId: 'requestPasswordReset',
    summary: 'Ask for a password-reset email',
    description: 'Always 202, whether or not the address has an account. The emailed code is valid for 1 hour, once.',
    tags,
    rateLimit,
    minimumDurationMs: ACCOUNT_EMAIL_REQUEST_MINIMUM_MS,
    request: { body: z.strictObject({ email: emailField }) },
    examples: { address: { summary: 'The account’s address', value: { email: 'ada@example.com' } } },
    success: { status: 202, description: 'If the address has an account, a reset code is on its way.', schema: acceptedSchema },
    handler: async ({ body }) => {
      await (await aura.get(RequestAccountEmail)).execute('password_reset', body.email);
      return accepted('if this address has an account, a password-reset code is on its way');
    },
  });

  api.route({
    method: 'post',
    path: '/api/auth/password-reset/confirm',
    operationId: 'confirmPasswordReset',
    summary: 'Set a new password with the emailed code',
    description: 'Every session of the account ends: log in again with the new password.',
    tags,
    rateLimit,
    request: { body: z.strictObject({ token: tokenField, newPassword: newPassword() }) },
    examples: {
      reset: {
        summary: 'The emailed code and a new password',
        value: { token: 'Xk3vQ9pL2mN8rT5wY7zA1bC4dE6fG0hJ', newPassword: 'marmalade submarine whistling cobalt' },
      },
    },
    success: { status: 204, description: 'The password is changed.' },
    errors: {
      ...tokenErrors,
      'users.weak_password': weakPassword,
      'users.account_deactivated': { status: 403, description: 'The account is deactivated.' },
    },
    handler: async ({ body, req }) => {
      const confirm = await aura.get(ConfirmPasswordReset);
      return confirm.execute({ token: body.token, newPassword: body.newPassword, client: clientOf(req) });
    },
  });

  api.route({
    method: 'post',
    path: '/api/users/me/password',
    operationId: 'changeMyPassword',
    summary: 'Change my password',
    description:
      'Needs the current password (wrong guesses count towards the login lockout). Every session ends, including the access token used for this request: log in again.',
    tags: ['Users'],
    auth: true,
    request: { body: z.strictObject({ currentPassword: text({ min: 1, max: 1024 }), newPassword: newPassword() }) },
    examples: {
      change: {
        summary: 'The current password and a new one',
        value: { currentPassword: 'correct horse battery staple', newPassword: 'marmalade submarine whistling cobalt' },
      },
    },
    success: { status: 204, description: 'The password is changed.' },
    errors: {
      'users.incorrect_password': { status: 403, description: 'The current password is wrong.' },
      'users.weak_password': weakPassword,
      'users.account_locked': { status: 429, description: 'Too many wrong passwords; wait `Retry-After` seconds.' },
      'users.user_not_found': { status: 404, description: 'The account no longer exists.' },
    },
    handler: async ({ body, actor, req }) => {
      const change = await aura.get(ChangePassword);
      return change.execute({ actor: actor, ...body, client: clientOf(req) });
    },
  });
}
