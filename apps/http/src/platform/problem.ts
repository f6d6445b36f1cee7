import type { DomainError } from '@aura/domain/platform';
import type { Response } from 'express';
import { z } from 'zod';

/** Where a failing field was found in the request. */
export type FieldLocation = 'body' | 'query' | 'params' | 'headers';

export interface FieldError {
  readonly in: FieldLocation;
  /** JSON Pointer (RFC 6901) into that part of the request, as a URI fragment: `#/email`. */
  readonly pointer: string;
  readonly detail: string;
}

/** RFC 9457 problem details, plus the request id and, for validation, the failing fields. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly requestId?: string;
  readonly errors?: readonly FieldError[];
  readonly [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Stable problem type URIs: `urn:aura:problem:<code>`, where code is a domain error type or an HTTP-level code. */
export const problemType = (code: string) => `urn:aura:problem:${code}`;

export const fieldErrorSchema = z.object({
  in: z.enum(['body', 'query', 'params', 'headers']),
  pointer: z.string().meta({ example: '#/email' }),
  detail: z.string(),
});

export const problemSchema = z
  .object({
    type: z.string().meta({ example: 'urn:aura:problem:validation_failed' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(fieldErrorSchema).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

/** A client or server problem raised in the HTTP layer; the error handler renders it. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail?: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail ?? title);
  }
}

export function sendProblem(res: Response, problem: ProblemDetails): void {
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).json(problem);
}

const humanise = (type: string) => {
  const reason = type.slice(type.indexOf('.') + 1).replace(/_/g, ' ');
  return reason.charAt(0).toUpperCase() + reason.slice(1);
};

/** Status for a domain error type, unless a route says otherwise. */
export function defaultStatusFor(type: string): number {
  if (type === 'platform.invalid_access_token') return 401;
  if (type === 'platform.forbidden') return 403;
  if (type.endsWith('_not_found')) return 404;
  if (type.endsWith('_conflict') || type.endsWith('_taken') || type.endsWith('_already_exists')) return 409;
  return 422;
}

export function problemFromDomainError(error: DomainError, status: number): ProblemDetails {
  return {
    type: problemType(error.type),
    title: humanise(error.type),
    status,
    detail: error.message,
    ...(error.details === undefined ? {} : { details: error.details }),
  };
}

/** `["a", 0, "b/c d"]` → `#/a/0/b~1c%20d`: a JSON Pointer (RFC 6901) in URI-fragment form. */
export function toPointer(path: readonly PropertyKey[]): string {
  const segments = path.map((segment) => String(segment).replace(/~/g, '~0').replace(/\//g, '~1'));
  return `#${segments.map((segment) => `/${encodeURIComponent(segment).replace(/%7E/gi, '~')}`).join('')}`;
}
