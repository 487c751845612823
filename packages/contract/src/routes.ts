import { isAppRoute, type AppRoute, type AppRouter } from '@ts-rest/core';
import type { RouteMetadata } from './common.js';

export type ContractRoute = AppRoute & { metadata: RouteMetadata };

/** Every route of a (nested) router, in declaration order. */
export function flattenRoutes(router: AppRouter): ContractRoute[] {
  return Object.values(router).flatMap((r) => (isAppRoute(r) ? [r as ContractRoute] : flattenRoutes(r)));
}
