// Replaced by the package.json version at build time (tsup `define`) and in the SDK's
// tests (vitest `define`); code run straight from source elsewhere reports 0.0.0-dev.
declare const __IHF_SDK_VERSION__: string | undefined;

/** The version of this SDK, as published. */
export const VERSION: string = typeof __IHF_SDK_VERSION__ === 'string' ? __IHF_SDK_VERSION__ : '0.0.0-dev';

/** `ihf-sdk-js/<version>`: sent as `X-IHF-Client` everywhere and in `User-Agent` where a runtime lets it be set. */
export const CLIENT_ID = `ihf-sdk-js/${VERSION}`;

/**
 * The identifying headers. Browsers own `User-Agent` (and once forbade setting it), so
 * there only `X-IHF-Client` goes out; Node, Deno, Bun and edge runtimes get both.
 */
export function clientHeaders(): Record<string, string> {
  const navigatorUa = (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent;
  const inBrowser = typeof navigatorUa === 'string' && navigatorUa.startsWith('Mozilla/');
  if (inBrowser) return { 'x-ihf-client': CLIENT_ID };
  return { 'x-ihf-client': CLIENT_ID, 'user-agent': `${CLIENT_ID} ${runtime()}` };
}

function runtime(): string {
  const g = globalThis as { process?: { versions?: { node?: string; bun?: string } }; Deno?: { version?: { deno?: string } } };
  if (g.Deno?.version?.deno) return `deno/${g.Deno.version.deno}`;
  if (g.process?.versions?.bun) return `bun/${g.process.versions.bun}`;
  if (g.process?.versions?.node) return `node/${g.process.versions.node}`;
  return 'js';
}
