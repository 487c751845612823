import { WebhookEventSchema, type WebhookEvent } from '@ihf/contract';
import { EVENT_TOPICS } from '@ihf/contract';
import {
  WebhookHeaderError,
  WebhookPayloadError,
  WebhookSignatureError,
  WebhookTimestampError,
  WebhookUnknownTypeError,
} from './errors.js';
import { bytesToBase64 } from './base64.js';
import { constantTimeEqual, hmacBase64, type HmacBase64 } from './hmac.js';
import { SECRET_PREFIX } from './secret.js';

export type { WebhookEvent };

/** A `whsec_…` secret as the API returns it (the prefix is optional), or its raw bytes. */
export type WebhookSecret = string | Uint8Array;

/** A Fetch `Headers`, or a plain object such as Node's `req.headers` (names matched case-insensitively). */
export type WebhookHeaders = Headers | Record<string, string | readonly string[] | undefined>;

export interface VerifyOptions {
  /** Largest accepted distance between the `webhook-timestamp` and now, in seconds, either way (default 300). */
  toleranceSeconds?: number;
  /** The clock, for tests (default `Date.now`). */
  now?: () => number | Date;
}

export const DEFAULT_TOLERANCE_SECONDS = 300;
const KNOWN_TYPES: ReadonlySet<string> = new Set(EVENT_TOPICS);
const decoder = new TextDecoder();

/**
 * Verifies a Standard Webhooks v1 delivery and resolves to its typed event.
 *
 * `rawBody` must be the bytes as received (a string or a Uint8Array/Buffer), never a
 * re-serialised object: JSON.stringify of a parsed body rarely reproduces the signed
 * bytes. Several secrets may be given, e.g. the old and the new one while rotating.
 *
 * Rejects with a WebhookVerificationError subclass: WebhookHeaderError,
 * WebhookTimestampError, WebhookSignatureError, WebhookUnknownTypeError or WebhookPayloadError.
 */
export async function verifyWebhook(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secretOrSecrets: WebhookSecret | readonly WebhookSecret[],
  options: VerifyOptions = {},
): Promise<WebhookEvent> {
  return verifyWebhookUsing(hmacBase64, rawBody, headers, secretOrSecrets, options);
}

/** The signature and timestamp checks alone (no parsing): for bodies this SDK does not type. */
export async function verifySignature(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secretOrSecrets: WebhookSecret | readonly WebhookSecret[],
  options: VerifyOptions = {},
): Promise<void> {
  return verifySignatureUsing(hmacBase64, rawBody, headers, secretOrSecrets, options);
}

/** verifyWebhook with a given HMAC implementation (internal: tests and the benchmark force Web Crypto with it). */
export async function verifyWebhookUsing(
  hmac: HmacBase64,
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secretOrSecrets: WebhookSecret | readonly WebhookSecret[],
  options: VerifyOptions = {},
): Promise<WebhookEvent> {
  await verifySignatureUsing(hmac, rawBody, headers, secretOrSecrets, options);
  return parseEvent(rawBody);
}

/** verifySignature with a given HMAC implementation (internal, as above). */
export async function verifySignatureUsing(
  hmac: HmacBase64,
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secretOrSecrets: WebhookSecret | readonly WebhookSecret[],
  options: VerifyOptions = {},
): Promise<void> {
  if (typeof rawBody !== 'string' && !(rawBody instanceof Uint8Array)) {
    throw new TypeError(
      'verifyWebhook needs the raw request body (string or bytes), not a parsed object. ' +
        'With Express, use express.raw({ type: "application/json" }) on the webhook route or the webhookMiddleware helper.',
    );
  }
  const id = header(headers, 'webhook-id');
  const timestampText = header(headers, 'webhook-timestamp');
  const signatureText = header(headers, 'webhook-signature');
  if (!/^\d{1,15}$/.test(timestampText)) throw new WebhookHeaderError('webhook-timestamp is not an integer number of seconds');
  const signatures = parseSignatures(signatureText);

  const timestamp = Number(timestampText);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowValue = options.now?.() ?? Date.now();
  const nowSeconds = Math.floor((typeof nowValue === 'number' ? nowValue : nowValue.getTime()) / 1000);
  if (timestamp < nowSeconds - tolerance) throw new WebhookTimestampError('too_old', timestamp, tolerance);
  if (timestamp > nowSeconds + tolerance) throw new WebhookTimestampError('in_future', timestamp, tolerance);

  const secrets = Array.isArray(secretOrSecrets) ? secretOrSecrets : [secretOrSecrets as WebhookSecret];
  if (secrets.length === 0) throw new TypeError('verifyWebhook needs at least one secret');
  const signedPrefix = `${id}.${timestampText}.`;
  for (const secret of secrets) {
    const mac = hmac(secret, signedPrefix, rawBody);
    // node:crypto answers synchronously: awaiting only a promise saves a turn of the microtask queue.
    const expected = typeof mac === 'string' ? mac : await mac;
    // Every candidate is compared, with no early exit, so timing says nothing about which matched.
    let matched = false;
    for (const candidate of signatures) matched = constantTimeEqual(expected, candidate) || matched;
    if (matched) return;
  }
  throw new WebhookSignatureError();
}

/** Parses and validates a body already authenticated. */
function parseEvent(rawBody: string | Uint8Array): WebhookEvent {
  let payload: unknown;
  try {
    payload = JSON.parse(typeof rawBody === 'string' ? rawBody : decoder.decode(rawBody));
  } catch (error) {
    throw new WebhookPayloadError('Webhook body is not valid JSON', [], { cause: error });
  }
  const type = (payload as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) throw new WebhookUnknownTypeError(type, payload);
  const parsed = WebhookEventSchema.safeParse(payload);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path, message: i.message }));
    throw new WebhookPayloadError(`Webhook ${type} payload does not match its schema: ${issues.map((i) => `/${i.path.join('/')} ${i.message}`).join('; ')}`, issues);
  }
  return parsed.data;
}

function header(headers: WebhookHeaders, name: string): string {
  let value: string | readonly string[] | null | undefined;
  if (typeof (headers as Headers).get === 'function') {
    value = (headers as Headers).get(name);
  } else {
    const record = headers as Record<string, string | readonly string[] | undefined>;
    value = record[name];
    if (value === undefined) {
      const key = Object.keys(record).find((k) => k.toLowerCase() === name);
      value = key === undefined ? undefined : record[key];
    }
  }
  if (Array.isArray(value)) value = value.join(' ');
  if (typeof value !== 'string' || value.trim() === '') throw new WebhookHeaderError(`Missing ${name} header`);
  return value.trim();
}

/**
 * `v1,<base64> v1,<base64> …`. Entries of other versions (e.g. `v1a`) and malformed
 * ones are skipped, as the Standard Webhooks reference libraries do: one entry a
 * sender or proxy added must not hide a valid signature beside it.
 */
function parseSignatures(text: string): string[] {
  const signatures: string[] = [];
  for (const entry of text.split(' ')) {
    if (entry.startsWith('v1,')) signatures.push(entry.slice(3));
  }
  if (signatures.length === 0) throw new WebhookHeaderError('webhook-signature has no v1 signature');
  return signatures;
}

export interface SignOptions {
  /** The `webhook-id` (a fresh one by default); the same for every attempt of one event. */
  id?: string;
  /** Defaults to now. */
  timestamp?: Date | number;
}

export interface SignedWebhook {
  body: string;
  headers: { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string };
}

/**
 * Signs a payload as the API does, for tests of a webhook receiver. An object payload
 * is serialised once and that exact string is both signed and returned as `body`.
 * Several secrets give several signatures, as during a rotation.
 */
export async function signWebhook(
  payload: string | object,
  secretOrSecrets: WebhookSecret | readonly WebhookSecret[],
  options: SignOptions = {},
): Promise<SignedWebhook> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const id = options.id ?? `msg_${globalThis.crypto.randomUUID()}`;
  const at = options.timestamp ?? Date.now();
  const timestamp = String(Math.floor((typeof at === 'number' ? at : at.getTime()) / 1000));
  const secrets = Array.isArray(secretOrSecrets) ? secretOrSecrets : [secretOrSecrets as WebhookSecret];
  const signatures: string[] = [];
  for (const secret of secrets) signatures.push(`v1,${await hmacBase64(secret, `${id}.${timestamp}.`, body)}`);
  return { body, headers: { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signatures.join(' ') } };
}

/** A new `whsec_` secret (32 random bytes), for tests. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + bytesToBase64(globalThis.crypto.getRandomValues(new Uint8Array(32)));
}
