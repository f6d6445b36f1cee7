import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import express, { Router } from 'express';
import type { HttpApi } from './http-api.js';

const require = createRequire(import.meta.url);

export function openApiDocument(api: HttpApi) {
  return new OpenApiGeneratorV31(api.registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Aura API',
      version: '0.1.0',
      description:
        'The back end of a mental-health care platform. Errors are RFC 9457 problem details (`application/problem+json`) with a stable `type` URI; validation errors list each failing field.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    tags: [
      { name: 'Authentication', description: 'Registration, email verification, login, refresh-token rotation, password reset.' },
      { name: 'Users', description: 'Your account; for admins, everyone’s.' },
      { name: 'Operations', description: 'Health, metrics and dead letters.' },
      { name: 'Development', description: 'Tools served only outside production (NODE_ENV=production).' },
    ],
  });
}

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Aura API</title><link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body></html>`;

/** `/openapi.json` and a Swagger UI page at `/docs`, served from the installed package (no CDN). */
export function docsRouter(api: HttpApi): Router {
  const router = Router();
  let document: ReturnType<typeof openApiDocument> | undefined;
  router.get('/openapi.json', (_req, res) => {
    document ??= openApiDocument(api);
    res.json(document);
  });
  // The package's folder, resolved without loading it (its bundle takes ~300 ms to load).
  const assets = dirname(require.resolve('swagger-ui-dist'));
  router.use('/docs/assets', express.static(assets, { index: false, maxAge: '1d' }));
  router.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript').send("window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui' });");
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(DOCS_PAGE);
  });
  return router;
}
