import { type DependencyMonitors, reportIfUnavailable } from '@aura/adapters/platform';
import type { Logger } from '@aura/application/platform';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HttpProblem, type ProblemDetails, problemType, sendProblem } from '../platform/problem.js';

interface BodyParserError {
  status?: number;
  statusCode?: number;
  type?: string;
}

const BODY_PARSER: Record<string, { status: number; code: string; title: string; detail: string }> = {
  'entity.parse.failed': {
    status: 400,
    code: 'malformed_json',
    title: 'Malformed JSON',
    detail: 'the request body is not valid JSON',
  },
  'entity.too.large': {
    status: 413,
    code: 'payload_too_large',
    title: 'Payload too large',
    detail: 'the request body is larger than allowed',
  },
  'encoding.unsupported': {
    status: 415,
    code: 'unsupported_encoding',
    title: 'Unsupported encoding',
    detail: 'the request body encoding is not supported',
  },
  'charset.unsupported': {
    status: 415,
    code: 'unsupported_charset',
    title: 'Unsupported charset',
    detail: 'the request body charset is not supported',
  },
  'request.aborted': {
    status: 400,
    code: 'request_aborted',
    title: 'Request aborted',
    detail: 'the request body was not received in full',
  },
};

export const notFound: RequestHandler = (req) => {
  throw new HttpProblem(404, 'not_found', 'Not found', `no route matches ${req.method} ${req.path}`);
};

/** Seconds a client is asked to wait when a dependency is away. */
export const OUTAGE_RETRY_AFTER_S = 5;

/**
 * The one place errors become responses: problems raised in the HTTP layer and body-parser
 * errors become their 4xx problem; a dependency that is away (the database, Redis) is a 503
 * with `Retry-After`, reported to its monitor (which logs the outage once, not per request);
 * anything else is a fault, logged with its stack and answered 500 with nothing but the
 * request id.
 */
export function errorHandler(logger: Logger, monitors?: DependencyMonitors): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const base = { instance: req.originalUrl, requestId: req.requestId };
    if (error instanceof HttpProblem) {
      const { wwwAuthenticate, retryAfter, ...extra } = error.extra as { wwwAuthenticate?: string; retryAfter?: string };
      if (wwwAuthenticate !== undefined) res.setHeader('WWW-Authenticate', wwwAuthenticate);
      if (retryAfter !== undefined) res.setHeader('Retry-After', retryAfter);
      const problem: ProblemDetails = {
        type: problemType(error.code),
        title: error.title,
        status: error.status,
        detail: error.message,
        ...base,
        ...extra,
      };
      sendProblem(res, problem);
      return;
    }
    const parserError = error as BodyParserError;
    const known = parserError.type === undefined ? undefined : BODY_PARSER[parserError.type];
    if (known !== undefined) {
      sendProblem(res, {
        type: problemType(known.code),
        title: known.title,
        status: known.status,
        detail: known.detail,
        ...base,
      });
      return;
    }
    // Any other 4xx from Express or a body parser (a malformed percent-escape in the path is a
    // URIError with status 400) is the client's mistake: say so, without its internals.
    const status = parserError.status ?? parserError.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      sendProblem(res, {
        type: problemType('bad_request'),
        title: 'Bad request',
        status,
        detail: 'the request could not be understood',
        ...base,
      });
      return;
    }
    if (monitors !== undefined && reportIfUnavailable(monitors, error) !== undefined) {
      res.setHeader('Retry-After', String(OUTAGE_RETRY_AFTER_S));
      sendProblem(res, {
        type: problemType('service_unavailable'),
        title: 'Service unavailable',
        status: 503,
        detail: `a service Aura depends on is unavailable; retry in ${OUTAGE_RETRY_AFTER_S} seconds`,
        ...base,
      });
      return;
    }
    logger.error('unhandled error while serving a request', { err: error, method: req.method, url: req.originalUrl });
    sendProblem(res, {
      type: problemType('internal'),
      title: 'Internal server error',
      status: 500,
      detail: 'an unexpected error occurred; quote the request id when reporting it',
      ...base,
    });
  };
}
