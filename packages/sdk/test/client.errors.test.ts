import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  BadRequestError,
  ConflictError,
  createClient,
  errorFromResponse,
  IhfApiError,
  IhfError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ValidationError,
} from '../src/index.js';
import { problemResponse } from '../src/testing/index.js';
import { ERROR_STATUS, type ErrorCode } from '@ihf/contract';
import { BASE, FAST_RETRY, useMsw } from './msw.js';

const server = useMsw();
const client = () => createClient({ baseUrl: BASE, apiKey: 'ihfk_00000000_k', retry: FAST_RETRY, maxRetries: 0 });

const expectedClass: Record<number, typeof IhfApiError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  405: IhfApiError,
  409: ConflictError,
  413: IhfApiError,
  415: IhfApiError,
  422: ValidationError,
  429: RateLimitError,
  500: InternalServerError,
  503: InternalServerError,
};

describe('errors from problem documents', () => {
  it.each(Object.entries(ERROR_STATUS) as [ErrorCode, number][])('%s (%i) becomes the matching IhfApiError subclass', async (code, status) => {
    server.use(http.get(`${BASE}/api/v2/me`, () => problemResponse(code, `detail of ${code}`)));
    const error = await client().me.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(expectedClass[status]);
    expect(error).toBeInstanceOf(IhfError);
    const e = error as IhfApiError;
    expect(e).toMatchObject({ status, code, detail: `detail of ${code}`, type: `/problems/${code.replaceAll('_', '-')}` });
    expect(e.requestId).toBe(e.headers.get('x-request-id'));
    expect(e.problem?.request_id).toBe(e.requestId);
    expect(e.message).toContain(`detail of ${code}`);
  });

  it('keeps a non-problem error body (a proxy’s HTML 502) and takes the request id from the header', () => {
    const error = errorFromResponse(502, '<html>Bad gateway</html>', new Headers({ 'x-request-id': 'edge-1' }));
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ status: 502, code: undefined, problem: undefined, requestId: 'edge-1', errors: [] });
  });

  it('keeps unknown members of the problem document', async () => {
    server.use(
      http.get(`${BASE}/api/v2/me`, () =>
        HttpResponse.json(
          { type: '/problems/forbidden', title: 'Forbidden', status: 403, detail: 'no', code: 'forbidden', request_id: 'r1', required_scope: 'admin' },
          { status: 403, headers: { 'content-type': 'application/problem+json' } },
        ),
      ),
    );
    const error = (await client().me.get().catch((e: unknown) => e)) as PermissionDeniedError;
    expect(error.problem?.required_scope).toBe('admin');
    expect(error.requestId).toBe('r1');
  });
});
