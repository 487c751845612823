import { WebhookPayloadError, WebhookUnknownTypeError, WebhookVerificationError } from './errors.js';
import { verifyWebhook, type VerifyOptions, type WebhookEvent, type WebhookHeaders, type WebhookSecret } from './verify.js';

/**
 * The parts of an Express / Node request this helper reads. Structural, so the SDK
 * depends on neither express nor node:http.
 */
export interface RawBodyRequest extends AsyncIterable<unknown> {
  headers: WebhookHeaders;
  body?: unknown;
  /** Set by NestJS (`rawBody: true`), Firebase Functions and some body parsers. */
  rawBody?: unknown;
  readableEnded?: boolean;
}

const encoder = new TextEncoder();

/**
 * The body exactly as received. Accepts `express.raw()` (a Buffer), a string from
 * `express.text()`, a `rawBody` left by the framework, or reads the stream itself
 * when no body parser ran. A body already parsed into an object cannot be verified
 * (its bytes are gone): that is reported with the fix, not as a bad signature.
 */
export async function readRawBody(req: RawBodyRequest): Promise<string | Uint8Array> {
  if (req.rawBody instanceof Uint8Array || typeof req.rawBody === 'string') return req.rawBody;
  if (req.body instanceof Uint8Array || typeof req.body === 'string') return req.body;
  const parsedAlready = req.body !== undefined && !(isEmptyObject(req.body) && req.readableEnded === false);
  if (parsedAlready) {
    throw new TypeError(
      'The webhook body was already parsed (is express.json() mounted before this route?). ' +
        'Mount express.raw({ type: "application/json" }) on the webhook route, or register it before express.json().',
    );
  }
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of req) {
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : (chunk as Uint8Array);
    chunks.push(bytes);
    length += bytes.length;
  }
  const body = new Uint8Array(length);
  let offset = 0;
  for (const c of chunks) {
    body.set(c, offset);
    offset += c.length;
  }
  return body;
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

/** Verifies an Express (or plain Node) request and resolves to its typed event. */
export async function verifyExpressWebhook(
  req: RawBodyRequest,
  secretOrSecrets: WebhookSecret | readonly WebhookSecret[],
  options?: VerifyOptions,
): Promise<WebhookEvent> {
  return verifyWebhook(await readRawBody(req), req.headers, secretOrSecrets, options);
}

/** What webhookMiddleware adds to the request: `(req as typeof req & WithWebhookEvent).webhookEvent`. */
export interface WithWebhookEvent {
  webhookEvent: WebhookEvent;
}

interface MiddlewareResponse {
  status(code: number): { json(body: unknown): unknown };
}

/**
 * Express middleware: verifies the delivery, puts the event on `req.webhookEvent` and
 * calls `next()`. A delivery that is not authentic (header, timestamp, signature) is
 * answered 400 `{ error, message }`. An authentic one is never answered 4xx, which the
 * sender would retry and count towards disabling the subscription: one of a `type` this
 * SDK version does not know is acknowledged with 200 `{ ignored: 'unknown_type' }` (use
 * verifyExpressWebhook to handle those yourself); one failing its type's schema goes to
 * `next(error)` as a WebhookPayloadError, as does any other error, for your error handler
 * to log and answer (a 5xx is retried, so it is not lost while you upgrade the SDK).
 */
export function webhookMiddleware(secretOrSecrets: WebhookSecret | readonly WebhookSecret[], options?: VerifyOptions) {
  return (req: RawBodyRequest & { webhookEvent?: WebhookEvent }, res: MiddlewareResponse, next: (error?: unknown) => void): void => {
    verifyExpressWebhook(req, secretOrSecrets, options).then(
      (event) => {
        req.webhookEvent = event;
        next();
      },
      (error: unknown) => {
        if (error instanceof WebhookUnknownTypeError) {
          res.status(200).json({ ignored: error.code });
        } else if (error instanceof WebhookVerificationError && !(error instanceof WebhookPayloadError)) {
          res.status(400).json({ error: error.code, message: error.message });
        } else {
          next(error);
        }
      },
    );
  };
}
