export {
  DEFAULT_TOLERANCE_SECONDS,
  generateWebhookSecret,
  signWebhook,
  verifySignature,
  verifyWebhook,
} from './verify.js';
export type { SignedWebhook, SignOptions, VerifyOptions, WebhookEvent, WebhookHeaders, WebhookSecret } from './verify.js';
export { readRawBody, verifyExpressWebhook, webhookMiddleware } from './express.js';
export type { RawBodyRequest, WithWebhookEvent } from './express.js';
export { verifyWebhookRequest } from './fetch.js';
export {
  WebhookHeaderError,
  WebhookPayloadError,
  WebhookSignatureError,
  WebhookTimestampError,
  WebhookUnknownTypeError,
  WebhookVerificationError,
} from './errors.js';
export type { EventTopic, WebhookEventOf } from './types.js';
