export { createHandlers, DEFAULT_TEST_BASE_URL, fixture, problemResponse, RATE_LIMIT_HEADERS } from './handlers.js';
export type { HandlerOptions, ResolverInfo, ResponseOf, RouteName, RouteOverrides, RouteResolver } from './handlers.js';
export { sample } from './sample.js';
export { generateWebhookSecret, signWebhook } from '../webhooks/verify.js';
