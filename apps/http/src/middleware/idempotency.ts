import { createHash } from 'node:crypto';
import { type Clock, IDEMPOTENCY_LIMITS, type IdempotencyStore } from '@aura/application/platform';
import type { RequestHandler } from 'express';
import { HttpProblem, PROBLEM_CONTENT_TYPE } from '../platform/problem.js';
import { ValidationProblem } from './validate.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set when this request claimed an Idempotency-Key: its response must be stored. */
    idempotency?: { readonly scope: string; readonly key: string };
  }
}

/** Printable ASCII, as the IETF httpapi Idempotency-Key draft allows, up to 255 characters. */
const KEY = /^[\x21-\x7e]{1,255}$/;

/** Same JSON whatever the order of its keys. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * `Idempotency-Key` on a write: the first request with a key runs and its response is
 * stored; a retry with the same key and body gets that response again (`Idempotent-Replayed:
 * true`) without running anything; the same key with another body is a 422; a retry while
 * the first is still running is a 409 with `Retry-After`. Keys belong to the caller and
 * live 24 hours. Without the header the route runs as usual.
 */
export function idempotency(store: IdempotencyStore, clock: Clock): RequestHandler {
  return async (req, res, next) => {
    const key = req.get('idempotency-key');
    if (key === undefined) return next();
    if (!KEY.test(key)) {
      throw new ValidationProblem([
        { in: 'headers', pointer: '#/Idempotency-Key', detail: 'must be 1 to 255 printable ASCII characters' },
      ]);
    }
    const scope = req.actor?.userId ?? 'anonymous';
    const fingerprint = `sha256:${createHash('sha256')
      .update(canonical(req.body ?? null))
      .digest('hex')}`;
    const begun = await store.begin(
      { scope, key, method: req.method, path: req.originalUrl, fingerprint },
      clock.now(),
      IDEMPOTENCY_LIMITS,
    );
    switch (begun.outcome) {
      case 'started':
        req.idempotency = { scope, key };
        return next();
      case 'replay': {
        const { status, body } = begun.response;
        res.setHeader('Idempotent-Replayed', 'true');
        if (status >= 400) res.type(PROBLEM_CONTENT_TYPE);
        if (status === 204 || body === null) res.status(status).end();
        else res.status(status).json(body);
        return;
      }
      case 'in_progress':
        throw new HttpProblem(
          409,
          'idempotency_key_in_use',
          'Request in progress',
          'a request with this Idempotency-Key is still being processed; retry shortly',
          {
            retryAfter: '1',
          },
        );
      case 'mismatch':
        throw new HttpProblem(
          422,
          'idempotency_key_reused',
          'Idempotency-Key reused',
          'this Idempotency-Key was used for a different request; use a new key for a new request',
        );
    }
  };
}
