import { DevMailbox, type StoredMail } from '@aura/adapters/platform';
import { domainError } from '@aura/domain/platform';
import type { Response } from 'express';
import { err, ok } from 'neverthrow';
import { z } from 'zod';
import { validate } from '../middleware/validate.js';
import type { HttpModule } from './http-module.js';
import { HttpProblem, problemSchema } from './problem.js';
import { text } from './schemas.js';

const DEVELOPMENT_ONLY =
  'A development tool: served only outside production (not when NODE_ENV=production), without authentication.';

const mailSummarySchema = z
  .object({
    id: z.string().meta({ example: '1767225600000-000000-4f3c2a1b0e9d8c7a' }),
    to: z.string().meta({ example: 'alice@example.com' }),
    from: z.string().meta({ example: 'Aura <no-reply@aura.localhost>' }),
    subject: z.string(),
    text: z.string(),
    sentAt: z.iso.datetime(),
    messageId: z.string().meta({ description: 'The Message-ID header, with its angle brackets.' }),
  })
  .meta({ id: 'DevMail', description: 'An email Aura sent to the development mailbox.' });

const mailSchema = mailSummarySchema
  .extend({ html: z.string().nullable().meta({ description: 'The HTML part, if the email has one.' }) })
  .meta({ id: 'DevMailDetail', description: 'An email Aura sent to the development mailbox, with its HTML part.' });

const idParams = z.object({ id: z.string().min(1).max(100) });

const summaryOf = (mail: StoredMail): z.input<typeof mailSummarySchema> => ({
  id: mail.id,
  to: mail.to,
  from: mail.from,
  subject: mail.subject,
  text: mail.text,
  sentAt: mail.sentAt.toISOString(),
  messageId: mail.messageId,
});

const notFound = (id: string) => domainError('platform.mail_not_found', `no mail in the development mailbox has the id "${id}"`);

/** Emails carry one-time links (verification, password reset): never cached anywhere. */
const noStore = (res: Response) => res.setHeader('Cache-Control', 'no-store');

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});

/**
 * The development mailbox: the emails Aura "sent" while running embedded or in development,
 * so a person trying the API can read verification and password-reset emails. The app mounts
 * it only outside production.
 */
export const devMailboxHttpModule: HttpModule = {
  module: 'platform',
  register(api, aura) {
    const mailbox = () => aura.get<DevMailbox>(DevMailbox);

    api.route({
      method: 'get',
      path: '/dev/mailbox',
      operationId: 'listDevMail',
      summary: 'List emails in the development mailbox',
      description: `Emails Aura sent, newest first, optionally only those to one address (ignoring case). ${DEVELOPMENT_ONLY}`,
      tags: ['Development'],
      request: {
        query: z.strictObject({
          to: text({ min: 3, max: 320, pattern: /^[^\s@<>]+@[^\s@<>]+$/, patternMessage: 'must be an email address' })
            .optional()
            .meta({ description: 'Only emails to this address.', example: 'alice@example.com' }),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
      },
      success: { status: 200, description: 'The emails.', schema: z.object({ items: z.array(mailSummarySchema) }) },
      handler: async ({ query, res }) => {
        const mails = await (await mailbox()).list({ limit: query.limit, ...(query.to === undefined ? {} : { to: query.to }) });
        noStore(res);
        return ok({ items: mails.map(summaryOf) });
      },
    });

    api.route({
      method: 'get',
      path: '/dev/mailbox/:id',
      operationId: 'getDevMail',
      summary: 'Read an email in the development mailbox',
      description: `One email, with its text and HTML parts. The raw message is at \`/dev/mailbox/{id}/raw\`. ${DEVELOPMENT_ONLY}`,
      tags: ['Development'],
      request: { params: idParams },
      success: { status: 200, description: 'The email.', schema: mailSchema },
      errors: { 'platform.mail_not_found': { status: 404, description: 'No email in the mailbox has this id.' } },
      handler: async ({ params, res }) => {
        const mail = await (await mailbox()).get(params.id);
        if (mail === undefined) return err(notFound(params.id));
        noStore(res);
        return ok({ ...summaryOf(mail), html: mail.html ?? null });
      },
    });

    // `api.route` always answers JSON; the raw message is `message/rfc822`, so this route is
    // declared by hand (same validation and problem responses) and documented beside it.
    const rawPath = '/dev/mailbox/:id/raw';
    api.router.get(rawPath, validate({ params: idParams }), async (req, res) => {
      const { id } = req.validated.params as z.output<typeof idParams>;
      const raw = await (await mailbox()).raw(id);
      if (raw === undefined) {
        const error = notFound(id);
        throw new HttpProblem(404, error.type, 'Mail not found', error.message);
      }
      noStore(res);
      // A found id matches the mailbox's id pattern (digits, hex and dashes): safe in a header.
      res.setHeader('Content-Disposition', `inline; filename="${id}.eml"`);
      res.status(200).type('message/rfc822').send(raw);
    });
    api.registry.registerPath({
      method: 'get',
      path: rawPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}'),
      operationId: 'getDevMailRaw',
      summary: 'Download an email as an .eml file',
      description: `The email as Aura would have sent it (RFC 5322, \`message/rfc822\`), openable in any mail client. ${DEVELOPMENT_ONLY}`,
      tags: ['Development'],
      request: { params: idParams },
      responses: {
        200: {
          description: 'The raw message.',
          content: { 'message/rfc822': { schema: z.string().meta({ description: 'RFC 5322 message' }) } },
        },
        400: problemResponse('The request is malformed or fails validation; `errors` lists each failing field.'),
        404: problemResponse('No email in the mailbox has this id. (`platform.mail_not_found`)'),
        500: problemResponse('Unexpected server fault; the body carries only the request id.'),
      },
    });
  },
};
