import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type {
  AccessGuard,
  AccessTokenVerifier,
  Actor,
  Clock,
  ExecutionContext,
  IdempotencyStore,
  RateLimiter,
  RateLimitPolicy,
  Role,
  UnitOfWork,
} from '@aura/application/platform';
import type { DomainError } from '@aura/domain/platform';
import express, { type Request, type RequestHandler, type Response, Router } from 'express';
import type { Result } from 'neverthrow';
import { match } from 'path-to-regexp';
import { z } from 'zod';
import { authenticate, requireRole } from '../middleware/authenticate.js';
import { idempotency } from '../middleware/idempotency.js';
import { rateLimit } from '../middleware/rate-limit.js';
import { validate } from '../middleware/validate.js';
import {
  defaultStatusFor,
  type ProblemDetails,
  problemFromDomainError,
  problemSchema,
  problemType,
  sendProblem,
  toPointer,
} from './problem.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
// biome-ignore lint/suspicious/noExplicitAny: any zod object shape
type AnyObject = z.ZodObject<any>;

/** `true`: any authenticated user; roles: one of these roles. */
export type RouteAuth = true | readonly Role[];

export interface RouteInput<P, Q, B, A = Actor | undefined> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** Set when the route requires authentication. */
  readonly actor: A;
  readonly req: Request;
  readonly res: Response;
}

export interface RouteSpec<
  P extends AnyObject,
  Q extends AnyObject,
  B extends z.ZodType,
  R extends z.ZodType,
  A extends RouteAuth | undefined = RouteAuth | undefined,
> {
  readonly method: Method;
  /** Express path (`/api/admin/dead-letters/:id`); documented as `{id}`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  /** `true`: any authenticated user; roles: one of these roles; absent: public. */
  readonly auth?: A;
  /** Accept an `Idempotency-Key` header (writes that create bookings, payments, sends). */
  readonly idempotent?: boolean;
  /** Requests per client address (counted before anything else, malformed requests included). */
  readonly rateLimit?: RateLimitPolicy;
  /**
   * Valid requests are answered no sooner than this after validation, whatever the outcome:
   * for routes whose timing must not tell one outcome from another (registration).
   */
  readonly minimumDurationMs?: number;
  readonly request?: { readonly params?: P; readonly query?: Q; readonly body?: B };
  /**
   * Bodies that satisfy the request schema, documented as the operation's examples (one per
   * shape the body can take). Every operation with a body has at least one: the contract test
   * sends each, and mutations of each, and checks the answers against the document.
   */
  readonly examples?: Readonly<Record<string, { readonly summary: string; readonly value: z.input<B> }>>;
  /**
   * A body documented but not validated before the handler: for webhooks, whose signature is
   * checked over the raw bytes (`req.rawBody`) before their content is looked at.
   */
  readonly unvalidatedBody?: z.ZodType;
  /**
   * Read the body as bytes (`req.rawBody`), whatever its type, instead of parsing it as JSON:
   * for webhooks, whose signature covers the exact bytes and must be checked first.
   */
  readonly rawBody?: true;
  readonly success: {
    readonly status: 200 | 201 | 202 | 204;
    readonly description: string;
    readonly schema?: R;
    /** A body that is not JSON (`text/calendar`): the handler's value, a string, is sent as it is, with this type. */
    readonly contentType?: string;
  };
  /** Domain errors this route can return, with their statuses (documented, and used for mapping). */
  readonly errors?: Readonly<Record<string, { readonly status: number; readonly description: string }>>;
  /** Calls one use case; an `err` becomes a problem response with the mapped status. On an authenticated route the actor is set. */
  readonly handler: (
    input: RouteInput<z.output<P>, z.output<Q>, z.output<B>, A extends RouteAuth ? Actor : undefined>,
  ) => PromiseLike<Result<z.input<R>, DomainError>>;
}

const idempotencyHeader = z.object({
  'Idempotency-Key': z.string().min(1).max(255).optional().meta({
    description:
      'Makes a retry safe: the same key with the same body returns the first response (`Idempotent-Replayed: true`) instead of running again. Keys belong to the caller and live 24 hours.',
  }),
});

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});

/**
 * Declares a route once: the Express handler (validation, auth, Result → response) and its
 * OpenAPI operation are generated from the same zod schemas.
 */
export class HttpApi {
  readonly registry = new OpenAPIRegistry();
  readonly router = Router();
  /**
   * Mounted before the body parser: rate limits count every request, malformed bodies
   * included (a flood of bad JSON is still a flood).
   */
  readonly earlyRouter = Router();
  /** Every path served, with its methods: a known path asked with another method is a 405. */
  readonly #served = new Map<string, { readonly matches: (path: string) => boolean; readonly methods: Set<string> }>();

  constructor(
    private readonly deps: {
      readonly verifier: AccessTokenVerifier;
      /** Consulted after the signature checks out (e.g. the users module refuses deactivated users' tokens). */
      readonly guards?: readonly AccessGuard[];
      readonly rateLimiter?: RateLimiter;
      readonly context: ExecutionContext;
      readonly idempotency: IdempotencyStore;
      readonly unitOfWork: UnitOfWork;
      readonly clock: Clock;
      /** Largest body a raw-body route reads (as HTTP_BODY_LIMIT). */
      readonly bodyLimit?: string;
    },
  ) {
    this.registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  }

  /**
   * Records that `path` (Express syntax) answers `method`, for routes served outside `route()`
   * (health, metrics, docs), so that another method on them is a 405 too.
   */
  serves(method: Method, path: string): void {
    let entry = this.#served.get(path);
    if (entry === undefined) {
      const matcher = match(path, { decode: false });
      entry = { matches: (candidate) => matcher(candidate) !== false, methods: new Set() };
      this.#served.set(path, entry);
    }
    entry.methods.add(method.toUpperCase());
  }

  /**
   * After every route: a request for a path that is served, with a method it is not served
   * with, is `405 Method Not Allowed` with `Allow` (RFC 9110 §15.5.6), not a 404.
   */
  methodNotAllowed(): RequestHandler {
    return (req, res, next) => {
      const allowed = new Set<string>();
      for (const entry of this.#served.values())
        if (entry.matches(req.path)) for (const method of entry.methods) allowed.add(method);
      if (allowed.size === 0 || allowed.has(req.method)) return next();
      if (allowed.has('GET')) allowed.add('HEAD');
      const allow = [...allowed].sort().join(', ');
      res.setHeader('Allow', allow);
      sendProblem(res, {
        type: problemType('method_not_allowed'),
        title: 'Method not allowed',
        status: 405,
        detail: `${req.method} is not served at ${req.path}; it answers ${allow}`,
        instance: req.originalUrl,
        requestId: req.requestId,
      });
    };
  }

  route<
    P extends AnyObject,
    Q extends AnyObject,
    B extends z.ZodType,
    R extends z.ZodType,
    A extends RouteAuth | undefined = undefined,
  >(spec: RouteSpec<P, Q, B, R, A>): void {
    this.serves(spec.method, spec.path);
    const handlers: RequestHandler[] = [];
    if (spec.rateLimit !== undefined) {
      if (this.deps.rateLimiter === undefined)
        throw new Error(`route ${spec.operationId} is rate-limited, but no rate limiter is set`);
      this.earlyRouter[spec.method](spec.path, rateLimit(this.deps.rateLimiter, spec.rateLimit));
    }
    if (spec.rawBody === true) {
      // Before the JSON parser (which then leaves the request alone: its body is read).
      this.earlyRouter[spec.method](
        spec.path,
        express.raw({ type: () => true, limit: this.deps.bodyLimit ?? '100kb' }),
        (req, _res, next) => {
          req.rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
          req.body = undefined;
          next();
        },
      );
    }
    /** Where a field a rule names is: the query or path parameters that have it, else the body. */
    const locationOf = (field: string): 'body' | 'query' | 'params' => {
      const name = field.split('.')[0] as string;
      if (spec.request?.query !== undefined && name in spec.request.query.shape) return 'query';
      if (spec.request?.params !== undefined && name in spec.request.params.shape) return 'params';
      return 'body';
    };
    const auth: RouteAuth | undefined = spec.auth;
    if (auth !== undefined) {
      handlers.push(authenticate(this.deps.verifier, this.deps.context, this.deps.guards));
      if (auth !== true) handlers.push(requireRole(...auth));
    }
    handlers.push(validate(spec.request ?? {}));
    if (spec.idempotent === true) handlers.push(idempotency(this.deps.idempotency, this.deps.clock));
    handlers.push(async (req, res) => {
      const started = performance.now();
      const input = {
        params: req.validated.params,
        query: req.validated.query,
        body: req.validated.body,
        actor: req.actor,
        req,
        res,
      } as RouteInput<z.output<P>, z.output<Q>, z.output<B>, A extends RouteAuth ? Actor : undefined>;
      const outcome = async (): Promise<{ status: number; body: unknown }> => {
        const result = await spec.handler(input);
        if (result.isOk()) return { status: spec.success.status, body: result.value };
        const status = spec.errors?.[result.error.type]?.status ?? defaultStatusFor(result.error.type);
        const field = result.error.details?.field;
        // A rule broken by one field of the body (a 422: the value is well formed, the rule refuses
        // it) points at the field, as a validation problem does.
        const errors =
          (status === 400 || status === 422) && typeof field === 'string'
            ? { errors: [{ in: locationOf(field), pointer: toPointer(field.split('.')), detail: result.error.message }] }
            : {};
        return {
          status,
          body: {
            ...problemFromDomainError(result.error, status),
            ...errors,
            instance: req.originalUrl,
            requestId: req.requestId,
          },
        };
      };
      const claim = req.idempotency;
      let response: { status: number; body: unknown };
      if (claim === undefined) {
        response = await outcome();
      } else {
        try {
          // The change and its stored response commit together (the use case's own unit of
          // work runs as a savepoint inside): a retry either replays it or runs it afresh.
          response = await this.deps.unitOfWork.transaction(async () => {
            const computed = await outcome();
            await this.deps.idempotency.complete(claim.scope, claim.key, computed, this.deps.clock.now());
            return computed;
          });
        } catch (fault) {
          // A fault is not an outcome to replay: free the key so a retry runs the request again.
          await this.deps.idempotency.release(claim.scope, claim.key);
          throw fault;
        }
      }
      const floor = (spec.minimumDurationMs ?? 0) - (performance.now() - started);
      if (floor > 0) await new Promise((resolve) => setTimeout(resolve, floor));
      if (response.status >= 400) {
        const retryAfter = (response.body as ProblemDetails).details as { retryAfterSeconds?: unknown } | undefined;
        if (typeof retryAfter?.retryAfterSeconds === 'number') res.set('Retry-After', String(retryAfter.retryAfterSeconds));
        sendProblem(res, response.body as ProblemDetails);
      } else if (spec.success.contentType !== undefined)
        res.status(response.status).type(spec.success.contentType).send(response.body);
      else send(res, response.status, response.body);
    });
    this.router[spec.method](spec.path, ...handlers);
    this.document(spec);
  }

  private document<
    P extends AnyObject,
    Q extends AnyObject,
    B extends z.ZodType,
    R extends z.ZodType,
    A extends RouteAuth | undefined,
  >(spec: RouteSpec<P, Q, B, R, A>) {
    const responses: Record<string, unknown> = {
      [spec.success.status]:
        spec.success.schema === undefined
          ? { description: spec.success.description }
          : {
              description: spec.success.description,
              content: { [spec.success.contentType ?? 'application/json']: { schema: spec.success.schema } },
            },
    };
    if (spec.request?.params || spec.request?.query || spec.request?.body || spec.unvalidatedBody) {
      responses[400] = problemResponse('The request is malformed or fails validation; `errors` lists each failing field.');
    }
    if (spec.request?.body || spec.unvalidatedBody || spec.rawBody) {
      responses[413] = problemResponse('The body is larger than HTTP_BODY_LIMIT.');
      if (spec.rawBody !== true) responses[415] = problemResponse('The body is not `application/json`.');
    }
    responses[431] = problemResponse('The request line or headers (a query string included) are larger than the server reads.');
    if (spec.auth !== undefined) responses[401] = problemResponse('No valid access token.');
    if (spec.rateLimit !== undefined) {
      responses[429] = {
        ...problemResponse(
          `More than ${spec.rateLimit.limit} requests from this address in ${spec.rateLimit.windowSeconds} s; wait \`Retry-After\` seconds.`,
        ),
        headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
      };
    }
    if (spec.idempotent === true) {
      responses[409] = problemResponse('A request with this Idempotency-Key is still in progress (`Retry-After`).');
      responses[422] = problemResponse('This Idempotency-Key was used for a different request.');
    }
    if (spec.auth !== undefined && spec.auth !== true)
      responses[403] = problemResponse(`Requires the role ${spec.auth.join(' or ')}.`);
    for (const [type, { status, description }] of Object.entries(spec.errors ?? {})) {
      const existing = responses[status] as { description: string } | undefined;
      responses[status] = {
        ...existing,
        ...problemResponse(existing ? `${existing.description} ${description} (\`${type}\`)` : `${description} (\`${type}\`)`),
      };
    }
    responses[500] = problemResponse('Unexpected server fault; the body carries only the request id.');
    responses[503] = {
      ...problemResponse(
        'The database or Redis is unavailable (an outage, not a fault of the request); retry after `Retry-After` seconds.',
      ),
      headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } },
    };
    this.registry.registerPath({
      method: spec.method,
      path: spec.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}'),
      operationId: spec.operationId,
      summary: spec.summary,
      ...(spec.description === undefined ? {} : { description: spec.description }),
      tags: [...spec.tags],
      ...(spec.auth === undefined ? {} : { security: [{ bearerAuth: [] }] }),
      // Who may call it (machine-readable; the 403 says it in words).
      ...(spec.auth === undefined ? {} : { 'x-aura-roles': rolesOf(spec.auth as RouteAuth) }),
      request: {
        ...(spec.idempotent === true ? { headers: idempotencyHeader } : {}),
        ...(spec.request?.params ? { params: spec.request.params } : {}),
        ...(spec.request?.query ? { query: spec.request.query } : {}),
        ...(spec.request?.body || spec.unvalidatedBody
          ? {
              body: {
                required: true,
                content: {
                  'application/json': {
                    schema: (spec.request?.body ?? spec.unvalidatedBody) as z.ZodType,
                    ...(spec.examples === undefined ? {} : { examples: spec.examples }),
                  },
                },
              },
            }
          : {}),
      },
      // biome-ignore lint/suspicious/noExplicitAny: the registry's response type is structural
      responses: responses as any,
    });
  }
}

const rolesOf = (auth: RouteAuth): Role[] => (auth === true ? ['patient', 'therapist', 'admin'] : [...auth]);

function send(res: Response, status: number, body: unknown): void {
  if (status === 204 || body === undefined) {
    res.status(status).end();
    return;
  }
  res.status(status).json(body);
}
