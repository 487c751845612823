import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { adminMeta, c, IdempotencyHeaders, Problem } from '../../common.js';
import { InteractionType } from '../event-types.js';

const CreateInteractionType = extendApi(
  z
    .object({
      name: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'Lower-case letters, digits and _, starting with a letter, at most 64'),
      description: z.string().max(500).nullish(),
    })
    .strict(),
  { title: 'CreateInteractionTypeRequest', example: { name: 'scrolled', description: 'An actor scrolled a subject into view' } },
);

/** Operator additions to the registry that `GET /interaction-types` lists. */
export const adminInteractionTypesContract = c.router({
  create: {
    method: 'POST',
    path: '/admin/interaction-types',
    body: CreateInteractionType,
    headers: IdempotencyHeaders,
    responses: { 201: InteractionType, 409: Problem },
    summary: 'Register an interaction event type',
    metadata: adminMeta('Admin: interaction types', { idempotent: true }),
  },
});
