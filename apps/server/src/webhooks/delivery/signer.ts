import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks v1: HMAC-SHA256 over `${id}.${timestamp}.${body}` keyed by the
 * base64-decoded part of the `whsec_` secret; `v1,<base64>` per secret, space-separated.
 */
export function signatureFor(secret: string | Buffer, id: string, timestampSeconds: number, body: string): string {
  const key = typeof secret === 'string' ? signingKey(secret) : secret;
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** The HMAC key of a `whsec_` secret (its base64-decoded part), for callers that sign many times with it. */
export function signingKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

export function webhookHeaders(
  secrets: readonly (string | Buffer)[],
  id: string,
  timestampSeconds: number,
  body: string,
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': secrets.map((s) => signatureFor(s, id, timestampSeconds, body)).join(' '),
  };
}

/** `whsec_` + base64 of 32 random bytes (the format allows 24 to 64). */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
