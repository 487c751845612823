export type { EventTopic } from '@ihf/contract';
export type { WebhookEventOf } from '@ihf/contract';
