import { verifyWebhook, type VerifyOptions, type WebhookEvent, type WebhookSecret } from './verify.js';

/**
 * Verifies a Fetch API `Request` (Next.js route handlers, Hono's `c.req.raw`,
 * Cloudflare Workers, Deno, Bun) and resolves to its typed event. Reads the body as
 * bytes, so the request body is consumed.
 */
export async function verifyWebhookRequest(
  request: Request,
  secretOrSecrets: WebhookSecret | readonly WebhookSecret[],
  options?: VerifyOptions,
): Promise<WebhookEvent> {
  const body = new Uint8Array(await request.arrayBuffer());
  return verifyWebhook(body, request.headers, secretOrSecrets, options);
}
