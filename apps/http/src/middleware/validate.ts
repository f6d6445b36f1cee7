import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { type FieldError, type FieldLocation, HttpProblem, toPointer } from '../platform/problem.js';

declare module 'express-serve-static-core' {
  interface Request {
    validated: { params: unknown; query: unknown; body: unknown };
  }
}

export interface RequestSchemas {
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
}

export class ValidationProblem extends HttpProblem {
  constructor(readonly errors: readonly FieldError[]) {
    super(400, 'validation_failed', 'Your request is not valid', `${errors.length} field(s) failed validation`, { errors });
  }
}

/**
 * The one validation middleware: parses params, query and body with their zod schemas and
 * answers 400 with every failing field (location + JSON pointer + reason) at once.
 */
export function validate(schemas: RequestSchemas): RequestHandler {
  return (req, _res, next) => {
    const errors: FieldError[] = [];
    const parse = (location: FieldLocation, schema: z.ZodType | undefined, value: unknown) => {
      if (schema === undefined) return undefined;
      const result = schema.safeParse(value);
      if (result.success) return result.data;
      for (const issue of result.error.issues) {
        // An unknown key is reported at the key itself, not at the object that holds it.
        if (issue.code === 'unrecognized_keys') {
          for (const key of issue.keys)
            errors.push({ in: location, pointer: toPointer([...issue.path, key]), detail: 'is not a known field' });
        } else {
          errors.push({ in: location, pointer: toPointer(issue.path), detail: issue.message });
        }
      }
      return undefined;
    };
    // `req.is` is null without a body, false for a body of another type; `Content-Length: 0`
    // (what clients send for a POST without a body) counts as no body.
    const empty = req.headers['content-length'] === '0';
    if (schemas.body !== undefined && !empty && req.is('application/json') === false) {
      throw new HttpProblem(415, 'unsupported_media_type', 'Unsupported media type', 'send the body as application/json');
    }
    const validated = {
      params: parse('params', schemas.params, req.params),
      query: parse('query', schemas.query, req.query),
      body: parse('body', schemas.body, req.body ?? (schemas.body === undefined ? undefined : null)),
    };
    if (errors.length > 0) throw new ValidationProblem(errors);
    req.validated = validated;
    next();
  };
}
