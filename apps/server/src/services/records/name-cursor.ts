import { ApiError } from '../../errors.js';

/** The registry's key: what a name cursor may carry (a tampered cursor is a 422, never SQL). */
const NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** An opaque cursor over a list ordered by name: the last name of the page, base64url. */
export const encodeNameCursor = (name: string): string => Buffer.from(name).toString('base64url');

export function decodeNameCursor(cursor: string): string {
  const name = Buffer.from(cursor, 'base64url').toString('utf8');
  if (NAME.test(name)) return name;
  throw new ApiError('validation_failed', 'The cursor is not one this API issued.', {
    errors: [{ location: 'query', pointer: '/cursor', message: 'Invalid cursor', code: 'invalid_cursor' }],
  });
}
