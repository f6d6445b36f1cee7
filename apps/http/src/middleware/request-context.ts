import { randomUUID } from 'node:crypto';
import type { ExecutionContext } from '@aura/application/platform';
import type { RequestHandler } from 'express';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** W3C trace context: version ff and all-zero trace or parent ids are invalid. */
const TRACEPARENT = /^(?!ff)[0-9a-f]{2}-(?!0{32})([0-9a-f]{32})-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

declare module 'express-serve-static-core' {
  interface Request {
    requestId: string;
    correlationId: string;
    /** The body's bytes as received, on routes that read it raw (webhooks: their signature covers these bytes). */
    rawBody?: Buffer;
  }
}

/**
 * Accepts a well-formed `X-Request-Id` (or generates one) and returns it; the correlation id
 * comes from `X-Correlation-Id`, else the W3C `traceparent` trace id, else the request id.
 * The rest of the request runs inside that execution scope, so every log line, event and
 * job it causes carries the ids.
 */
export function requestContext(context: ExecutionContext): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming !== undefined && SAFE_ID.test(incoming) ? incoming : randomUUID();
    const correlation = req.get('x-correlation-id');
    const trace = TRACEPARENT.exec(req.get('traceparent') ?? '')?.[1];
    const correlationId = correlation !== undefined && SAFE_ID.test(correlation) ? correlation : (trace ?? requestId);
    req.requestId = requestId;
    req.correlationId = correlationId;
    res.setHeader('X-Request-Id', requestId);
    res.setHeader('X-Correlation-Id', correlationId);
    context.run({ requestId, correlationId }, () => next());
  };
}
