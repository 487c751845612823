import { ERROR_STATUS, ERROR_TITLES, type ErrorCode, type Problem } from '@ihf/contract';

export type FieldError = NonNullable<Problem['errors']>[number];

/**
 * The one error class handlers throw. The problem handler, mounted last, turns it into
 * an RFC 9457 document; nothing else writes error JSON.
 */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extra: {
      errors?: FieldError[];
      headers?: Record<string, string>;
      /** Extension members added to the problem document. */
      members?: Record<string, unknown>;
      /**
       * Media type of the error body. Problem documents by default; the OAuth endpoints
       * answer `application/json` as RFC 6749 §5.2 requires (with problem members kept).
       */
      contentType?: 'application/json';
    } = {},
  ) {
    super(detail);
    this.status = ERROR_STATUS[code];
  }

  get title(): string {
    return ERROR_TITLES[this.code];
  }
}

export const notFound = (what: string, id: string) => new ApiError('not_found', `No ${what} with id ${id}.`);
