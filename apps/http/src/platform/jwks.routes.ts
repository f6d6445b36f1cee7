import { PublicKeySetToken } from '@aura/adapters/platform';
import { ok } from 'neverthrow';
import { z } from 'zod';
import type { HttpModule } from './http-module.js';

const jwkSchema = z
  .looseObject({
    kty: z.string(),
    kid: z.string(),
    alg: z.string().optional(),
    use: z.string().optional(),
    crv: z.string().optional(),
    x: z.string().optional(),
    y: z.string().optional(),
  })
  .meta({ id: 'JsonWebKey', description: 'A public key (RFC 7517).' });

/** The public keys that verify Aura's access tokens, for other services (RFC 7517 key set). */
export const jwksHttpModule: HttpModule = {
  module: 'platform',
  register(api, aura) {
    const keys = aura.container.get<{ keys: z.input<typeof jwkSchema>[] }>(PublicKeySetToken);
    api.route({
      method: 'get',
      path: '/.well-known/jwks.json',
      operationId: 'getJsonWebKeySet',
      summary: 'Public keys that verify access tokens',
      description:
        'Aura\'s signing key (EdDSA or ES256) and any keys still trusted during a rotation, each with its `kid`. Verify tokens with `alg` pinned, `iss` and `aud` as configured, and `type: "access"`.',
      tags: ['Authentication'],
      success: {
        status: 200,
        description: 'The JSON Web Key Set.',
        schema: z.object({ keys: z.array(jwkSchema) }).meta({ id: 'JsonWebKeySet' }),
      },
      handler: async ({ res }) => {
        res.set('Cache-Control', 'public, max-age=300');
        return ok(keys);
      },
    });
  },
};
