import { z } from 'zod';

/** The record resources, named by their path segment under /api/v2. */
export const RECORD_RESOURCES = [
  'interaction-events',
  'annotations',
  'requirement-candidates',
  'decision-records',
  'deployment-records',
  'outcome-signals',
] as const;
export type RecordResource = (typeof RECORD_RESOURCES)[number];

export const SCOPES = [
  'interaction-events:read',
  'interaction-events:write',
  'annotations:read',
  'annotations:write',
  'requirement-candidates:read',
  'requirement-candidates:write',
  'decision-records:read',
  'decision-records:write',
  'deployment-records:read',
  'deployment-records:write',
  'outcome-signals:read',
  'outcome-signals:write',
  'webhooks:manage',
  'usage:read',
  'admin',
] as const;

export const ScopeSchema = z.enum(SCOPES);

/** What a portal credential (the consumer portal's) may carry, and nothing else. */
export const PORTAL_SCOPES = ['webhooks:manage', 'usage:read'] as const;
export type Scope = z.infer<typeof ScopeSchema>;

export const readScope = (r: RecordResource) => `${r}:read` as const;
export const writeScope = (r: RecordResource) => `${r}:write` as const;
