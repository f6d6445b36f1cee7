import { type Aura, trustProxySetting } from '@aura/adapters/platform';
import {
  AccessGuard,
  AccessTokenVerifier,
  Clock,
  ExecutionContext,
  IdempotencyStore,
  Logger,
  RateLimiter,
  UnitOfWork,
} from '@aura/application/platform';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { errorHandler, notFound } from './middleware/error-handler.js';
import { httpMetrics } from './middleware/http-metrics.js';
import { requestContext } from './middleware/request-context.js';
import { deadLettersHttpModule } from './platform/dead-letters.routes.js';
import { devMailboxHttpModule } from './platform/dev-mailbox.routes.js';
import { HttpApi } from './platform/http-api.js';
import type { HttpModule } from './platform/http-module.js';
import { jwksHttpModule } from './platform/jwks.routes.js';
import { docsRouter } from './platform/openapi.js';
import { operationsRouter } from './platform/operations.router.js';

export interface HttpAppOptions {
  /** Business modules' HTTP surfaces (the platform's own routes are always mounted). */
  readonly modules?: readonly HttpModule[];
}

/** `localhost`, 127.0.0.0/8 or ::1. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export class HttpModuleNotInstalledError extends Error {
  override readonly name = 'HttpModuleNotInstalledError';
}

/**
 * The Express application over a running Aura: request ids and correlation, security
 * headers, JSON body limit, access logs, metrics, every module's routes (validated and
 * documented from the same zod schemas), health, docs, and problem+json for every error.
 */
export async function createHttpApp(aura: Aura, options: HttpAppOptions = {}): Promise<{ app: Express; api: HttpApi }> {
  const installed = new Set(aura.modules.map((m) => m.name));
  // The development mailbox shows account emails (verification and reset codes) to whoever
  // asks: never in production, and only while the server listens on loopback.
  const mailboxServed = aura.config.NODE_ENV !== 'production' && isLoopbackHost(aura.config.HOST);
  if (aura.config.NODE_ENV !== 'production' && !mailboxServed) {
    aura.logger.warn('GET /dev/mailbox is not served: HOST is not a loopback address (read the .eml files instead)', {
      host: aura.config.HOST,
    });
  }
  const platformModules = mailboxServed
    ? [jwksHttpModule, deadLettersHttpModule, devMailboxHttpModule]
    : [jwksHttpModule, deadLettersHttpModule];
  const modules = [...platformModules, ...(options.modules ?? [])];
  for (const module of modules) {
    if (!installed.has(module.module)) {
      throw new HttpModuleNotInstalledError(
        `HTTP routes for module "${module.module}" are registered, but the module is not installed`,
      );
    }
  }
  const [context, logger, verifier, idempotencyStore, clock, unitOfWork, rateLimiter] = await Promise.all([
    aura.get<ExecutionContext>(ExecutionContext),
    aura.get<Logger>(Logger),
    aura.get<AccessTokenVerifier>(AccessTokenVerifier),
    aura.get<IdempotencyStore>(IdempotencyStore),
    aura.get<Clock>(Clock),
    aura.get<UnitOfWork>(UnitOfWork),
    aura.get<RateLimiter>(RateLimiter),
  ]);
  const guards = aura.container.isBound(AccessGuard) ? await aura.container.getAllAsync<AccessGuard>(AccessGuard) : [];

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxySetting(aura.config.HTTP_TRUST_PROXY));
  app.set('query parser', 'simple');
  app.use(requestContext(context));
  app.use(httpMetrics(aura.metrics));
  // Probes and scrapes come every few seconds: they skip the access log, helmet and the body parser.
  app.use(operationsRouter(aura));
  app.use(
    pinoHttp({
      logger: aura.logger.pino,
      genReqId: (req) => (req as express.Request).requestId,
      quietReqLogger: true,
      // A 503 is an outage (logged once by its monitor), not a fault of the request: its access
      // line carries no error and no stack.
      customErrorObject: (_req, res, _error, value) => (res.statusCode === 503 ? { ...value, err: undefined } : value),
      customErrorMessage: (_req, res) => (res.statusCode === 503 ? 'request completed' : 'request errored'),
      serializers: {
        req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
          remoteAddress: req.remoteAddress,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(helmet());

  const api = new HttpApi({
    verifier,
    guards,
    rateLimiter,
    context,
    idempotency: idempotencyStore,
    unitOfWork,
    clock,
    bodyLimit: aura.config.HTTP_BODY_LIMIT,
  });
  for (const module of modules) module.register(api, aura);
  app.use(api.earlyRouter);
  // Not `strict`: a body of `1` or `null` is valid JSON, and validation says precisely what is wrong with it.
  app.use(express.json({ limit: aura.config.HTTP_BODY_LIMIT, strict: false }));

  if (aura.config.API_DOCS_ENABLED) {
    app.use(docsRouter(api));
    for (const path of ['/openapi.json', '/docs', '/docs/init.js', '/docs/assets/*file']) api.serves('get', path);
  }
  for (const path of ['/health/live', '/health/ready', '/metrics']) api.serves('get', path);
  app.use(api.router);
  app.use(api.methodNotAllowed());
  app.use(notFound);
  app.use(errorHandler(logger, aura.outages));
  return { app, api };
}
