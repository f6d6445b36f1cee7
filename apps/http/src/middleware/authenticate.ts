import type { AccessGuard, AccessTokenVerifier, Actor, ExecutionContext, Role } from '@aura/application/platform';
import type { RequestHandler } from 'express';
import { HttpProblem } from '../platform/problem.js';

declare module 'express-serve-static-core' {
  interface Request {
    actor?: Actor;
  }
}

/** RFC 7235: the scheme name is case-insensitive. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

const unauthorized = (detail: string) =>
  new HttpProblem(401, 'unauthorized', 'Authentication required', detail, { wwwAuthenticate: 'Bearer' });

/**
 * Requires `Authorization: Bearer <access token>`: a good signature and claims, then every
 * access guard's consent (the users module refuses tokens of deactivated or logged-out
 * users). Sets `req.actor` and the scope's user id.
 */
export function authenticate(
  verifier: AccessTokenVerifier,
  context: ExecutionContext,
  guards: readonly AccessGuard[] = [],
): RequestHandler {
  return async (req, _res, next) => {
    const header = req.get('authorization');
    if (header === undefined) throw unauthorized('send an access token as "Authorization: Bearer <token>"');
    const token = BEARER.exec(header)?.[1];
    if (token === undefined) throw unauthorized('the Authorization header must be "Bearer <token>"');
    const verified = await verifier.verify(token);
    if (verified.isErr()) throw unauthorized(verified.error.message);
    for (const guard of guards) {
      const admitted = await guard.admit(verified.value);
      if (admitted.isErr()) throw unauthorized(admitted.error.message);
    }
    const actor = verified.value.actor;
    req.actor = actor;
    const scope = context.current();
    if (scope === undefined) return next();
    context.run({ ...scope, userId: actor.userId }, () => next());
  };
}

/** Coarse role gate in front of a route; ownership and finer rules live in the use cases. */
export function requireRole(...roles: readonly Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.actor?.roles.some((role) => roles.includes(role))) {
      throw new HttpProblem(403, 'platform.forbidden', 'Forbidden', `requires the role ${roles.join(' or ')}`);
    }
    next();
  };
}
