import { z } from 'zod';
import { ApiError } from '../errors.js';

/**
 * The usage overview ranks consumers by a count, not by a key a keyset cursor could hold, so
 * its cursor is the range the first page resolved and an offset into that ranking: opaque to
 * clients (base64url JSON), and every page ranks the same window.
 */
const OverviewCursor = z.object({
  from: z.string().datetime(),
  to: z.string().datetime(),
  offset: z.number().int().min(1).max(1_000_000),
});

export interface OverviewPosition {
  from: Date;
  to: Date;
  offset: number;
}

export function encodeOverviewCursor(p: OverviewPosition): string {
  const cursor = { from: p.from.toISOString(), to: p.to.toISOString(), offset: p.offset };
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodeOverviewCursor(cursor: string): OverviewPosition {
  let parsed: z.SafeParseReturnType<unknown, z.infer<typeof OverviewCursor>> | undefined;
  try {
    parsed = OverviewCursor.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    // not JSON: the validation error below
  }
  const from = parsed?.success ? new Date(parsed.data.from) : undefined;
  const to = parsed?.success ? new Date(parsed.data.to) : undefined;
  if (!parsed?.success || !from || !to || from >= to) {
    throw new ApiError('validation_failed', 'The cursor is not one this API issued.', {
      errors: [{ location: 'query', pointer: '/cursor', message: 'Invalid cursor', code: 'invalid_cursor' }],
    });
  }
  return { from, to, offset: parsed.data.offset };
}
