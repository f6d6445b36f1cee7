import { ListDeadLetters, MAX_PAGE_SIZE, ReplayDeadLetter } from '@aura/application/platform';
import { z } from 'zod';
import type { HttpModule } from './http-module.js';
import { text } from './schemas.js';

const deadLetterSchema = z
  .object({
    id: z.uuid(),
    queue: z.string(),
    jobName: z.string(),
    jobId: z.string(),
    data: z.unknown(),
    attempts: z.number().int(),
    lastError: z.string(),
    failedAt: z.iso.datetime(),
    replayCount: z.number().int(),
    replayedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'DeadLetter', description: 'A job that failed every attempt, parked until replayed.' });

type DeadLetterJson = z.input<typeof deadLetterSchema>;
const toJson = (letter: {
  id: string;
  queue: string;
  jobName: string;
  jobId: string;
  data: unknown;
  attempts: number;
  lastError: string;
  failedAt: Date;
  replayCount: number;
  replayedAt: Date | null;
}): DeadLetterJson => ({
  ...letter,
  failedAt: letter.failedAt.toISOString(),
  replayedAt: letter.replayedAt?.toISOString() ?? null,
});

/** Admin operations on the platform's dead letters: list them, and replay one. */
export const deadLettersHttpModule: HttpModule = {
  module: 'platform',
  register(api, aura) {
    api.route({
      method: 'get',
      path: '/api/admin/dead-letters',
      operationId: 'listDeadLetters',
      summary: 'List dead letters',
      description: 'Jobs and event deliveries that failed every attempt, newest first, with their last error.',
      tags: ['Operations'],
      auth: ['admin'],
      request: {
        query: z.strictObject({
          status: z.enum(['parked', 'replayed', 'all']).default('parked'),
          queue: text({ min: 1, max: 200 }).optional(),
          limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
          cursor: z.uuid().optional(),
        }),
      },
      success: {
        status: 200,
        description: 'A page of dead letters.',
        schema: z.object({ items: z.array(deadLetterSchema), nextCursor: z.string().nullable() }),
      },
      handler: async ({ query, actor }) => {
        const list = await aura.get(ListDeadLetters);
        return list
          .execute({
            actor: actor,
            status: query.status,
            limit: query.limit,
            ...(query.queue === undefined ? {} : { queue: query.queue }),
            ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
          })
          .map((page) => ({ items: page.items.map(toJson), nextCursor: page.nextCursor }));
      },
    });

    api.route({
      method: 'post',
      path: '/api/admin/dead-letters/:id/replay',
      operationId: 'replayDeadLetter',
      summary: 'Replay a dead letter',
      description: 'Puts the job back on its queue with a fresh attempt budget. Event handlers still run at most once per event.',
      tags: ['Operations'],
      auth: ['admin'],
      request: { params: z.object({ id: z.uuid() }) },
      success: { status: 202, description: 'The job was re-enqueued.', schema: deadLetterSchema },
      errors: {
        'platform.dead_letter_not_found': { status: 404, description: 'No dead letter has this id.' },
        'platform.dead_letter_replay_conflict': { status: 409, description: 'Someone replayed it at the same moment.' },
      },
      handler: async ({ params, actor }) => {
        const replay = await aura.get(ReplayDeadLetter);
        return replay.execute({ actor: actor, id: params.id }).map(toJson);
      },
    });
  },
};
