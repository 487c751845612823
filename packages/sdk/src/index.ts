import { contract } from '@ihf/contract';
import { initClient } from '@ts-rest/core';

/** The typed ts-rest client over the contract (the full SDK builds on it). */
export function createRawClient(options: { baseUrl: string; apiKey: string }) {
  return initClient(contract, {
    baseUrl: options.baseUrl,
    baseHeaders: { authorization: `Bearer ${options.apiKey}` },
  });
}
