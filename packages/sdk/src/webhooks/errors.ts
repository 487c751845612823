/**
 * Base class of every verification failure; subclasses say why, and `code` is stable for
 * logs and metrics. A header, timestamp or signature failure means the delivery is not
 * authentic: answer 4xx and do not process the body. The other two are authentic
 * deliveries: do not answer those 4xx (the sender retries them and may disable the
 * subscription); see each class.
 */
export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';
  readonly code: 'header' | 'timestamp' | 'signature' | 'unknown_type' | 'payload';
  constructor(code: WebhookVerificationError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A `webhook-id`, `webhook-timestamp` or `webhook-signature` header is missing or malformed. */
export class WebhookHeaderError extends WebhookVerificationError {
  override name = 'WebhookHeaderError';
  constructor(message: string) {
    super('header', message);
  }
}

/** The timestamp is outside the tolerance: `tooOld` (a replay or a long queue) or `inFuture` (clock skew or forgery). */
export class WebhookTimestampError extends WebhookVerificationError {
  override name = 'WebhookTimestampError';
  readonly reason: 'too_old' | 'in_future';
  readonly timestamp: number;
  constructor(reason: 'too_old' | 'in_future', timestamp: number, toleranceSeconds: number) {
    super('timestamp', `Webhook timestamp ${timestamp} is ${reason === 'too_old' ? 'older' : 'further in the future'} than the ${toleranceSeconds} s tolerance`);
    this.reason = reason;
    this.timestamp = timestamp;
  }
}

/** No `v1` signature in the header matches the body under any of the secrets. */
export class WebhookSignatureError extends WebhookVerificationError {
  override name = 'WebhookSignatureError';
  constructor(message = 'No webhook signature matches the body') {
    super('signature', message);
  }
}

/**
 * Authentic, but of a `type` this SDK version does not know (the API added a topic).
 * The raw parsed body is in `payload`; acknowledge it with a 2xx if you do not need it.
 */
export class WebhookUnknownTypeError extends WebhookVerificationError {
  override name = 'WebhookUnknownTypeError';
  readonly type: unknown;
  readonly payload: unknown;
  constructor(type: unknown, payload: unknown) {
    super('unknown_type', `Unknown webhook event type ${JSON.stringify(type)}`);
    this.type = type;
    this.payload = payload;
  }
}

/**
 * Authentic, but not JSON or not of its type's schema. `issues` lists what failed, when a
 * schema did. Usually this SDK version is older than the API's payloads: log it and answer
 * 5xx so the sender retries once you upgrade, or acknowledge it with a 2xx to drop it.
 */
export class WebhookPayloadError extends WebhookVerificationError {
  override name = 'WebhookPayloadError';
  readonly issues: ReadonlyArray<{ path: (string | number)[]; message: string }>;
  constructor(message: string, issues: WebhookPayloadError['issues'] = [], options?: { cause?: unknown }) {
    super('payload', message, options);
    this.issues = issues;
  }
}
