import { AuthenticationError, createClient, IhfApiError, IhfError, type IhfClient } from '@ihf/sdk';

export type Client = IhfClient;

/** A client for this origin's /api/v2 with the signed-in credential. */
export function clientFor(token: string): Client {
  // One retry: a person is waiting, and the error state says what went wrong.
  return createClient({ baseUrl: location.origin, apiKey: token, maxRetries: 1, timeoutMs: 20_000 });
}

/** What an error state shows: the problem document's title and detail, and its request id. */
export interface ShownError {
  title: string;
  detail?: string | undefined;
  requestId?: string | undefined;
  status?: number | undefined;
}

export function describeError(error: unknown): ShownError {
  if (error instanceof IhfApiError) {
    return { title: error.title ?? `HTTP ${error.status}`, detail: error.detail, requestId: error.requestId, status: error.status };
  }
  if (error instanceof IhfError) return { title: 'The server could not be reached', detail: error.message };
  return { title: 'Something went wrong', detail: error instanceof Error ? error.message : String(error) };
}

export const isUnauthorized = (error: unknown): boolean => error instanceof AuthenticationError;
