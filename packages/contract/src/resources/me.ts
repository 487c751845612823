import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { c, consumerMeta, Timestamp, Uuid } from '../common.js';
import { ScopeSchema } from '../scopes.js';
import { TierSchema } from '../tiers.js';
import { TokenTypeSchema } from './admin/keys.js';

export const Me = extendApi(
  z.object({
    consumer: z.object({
      id: Uuid,
      name: z.string(),
      tier: TierSchema,
      hub_capability_manifest_id: Uuid.nullable(),
    }),
    credential: z.object({
      id: Uuid,
      key_prefix: z.string(),
      token_type: TokenTypeSchema,
      expires_at: Timestamp.nullable(),
    }),
    scopes: z.array(ScopeSchema),
    limits: z.object({
      rate_limit_per_minute: z.number().int(),
      burst_threshold: z.number().int(),
      burst_window_seconds: z.number().int(),
      quota_per_day: z.number().int(),
    }),
    quota: z.object({
      used_today: z.number().int(),
      remaining_today: z.number().int(),
      resets_at: Timestamp,
    }),
  }),
  {
    title: 'Me',
    example: {
      consumer: {
        id: '6c0f8a8e-2d7b-4c4e-8b9a-1f2e3d4c5b6a',
        name: 'Acme analytics',
        tier: 'pro',
        hub_capability_manifest_id: null,
      },
      credential: {
        id: '2f1d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b',
        key_prefix: '3fa85f64',
        token_type: 'static',
        expires_at: null,
      },
      scopes: ['interaction-events:read'],
      limits: { rate_limit_per_minute: 600, burst_threshold: 50, burst_window_seconds: 1, quota_per_day: 200000 },
      quota: { used_today: 1234, remaining_today: 198766, resets_at: '2026-11-26T00:00:00.000Z' },
    },
  },
);
export type Me = z.infer<typeof Me>;

export const meContract = c.router({
  get: {
    method: 'GET',
    path: '/me',
    responses: { 200: Me },
    summary: 'Who am I',
    description: 'The calling consumer, the credential’s scopes, its limits and today’s quota use.',
    metadata: consumerMeta('Me', []),
  },
});
