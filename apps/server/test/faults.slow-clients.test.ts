// Slowloris: 200 connections that send nothing, trickle their headers or trickle their
// body. Normal clients are still answered promptly, and the server itself closes each slow
// connection once its header or request timeout (src/server.ts) is over.
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from '../src/server.js';
import { startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t?.close());

/** Node checks connections against the timeouts once a second (connectionsCheckingInterval); slack for a busy machine. */
const SLACK_MS = 5000;

interface Slow {
  kind: 'silent' | 'headers' | 'body';
  socket: Socket;
  openedAt: number;
  closedAt?: number;
  received: string;
}

function openSlow(kind: Slow['kind'], url: URL, key: string): Promise<Slow> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const slow: Slow = { kind, socket, openedAt: 0, received: '' };
    socket.on('data', (d: Buffer) => (slow.received += d.toString()));
    socket.on('close', () => (slow.closedAt = Date.now()));
    socket.on('error', () => {});
    socket.once('connect', () => {
      slow.openedAt = Date.now();
      if (kind === 'headers') socket.write(`GET /api/v2/me HTTP/1.1\r\nHost: ${url.host}\r\n`);
      if (kind === 'body') {
        socket.write(
          `POST /api/v2/interaction-events HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${key}\r\n` +
            `Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`,
        );
      }
      resolve(slow);
    });
    socket.once('error', reject);
  });
}

describe('slow clients', () => {
  it('are cut off by the header and request timeouts without starving normal clients', async () => {
    const { key } = await t.consumerWithKey(['interaction-events:write', 'interaction-events:read'], { tier: 'enterprise', burst_threshold: 100_000 });
    const url = new URL(t.url);
    const kinds: Slow['kind'][] = ['silent', 'headers', 'body'];
    const slow = await Promise.all(Array.from({ length: 200 }, (_, i) => openSlow(kinds[i % 3]!, url, key)));

    // A byte every half second keeps each trickling connection busy but never done.
    const trickle = setInterval(() => {
      for (const s of slow) {
        if (s.closedAt || s.socket.destroyed) continue;
        if (s.kind === 'headers') s.socket.write('X-Slow: 1\r\n');
        if (s.kind === 'body') s.socket.write(' ');
      }
    }, 500);

    const latencies: number[] = [];
    const failures: string[] = [];
    const deadline = Date.now() + REQUEST_TIMEOUT_MS + SLACK_MS;
    while (Date.now() < deadline && slow.some((s) => !s.closedAt)) {
      const at = Date.now();
      const res = await fetch(`${t.url}/api/v2/me`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(5000) }).catch((err: Error) => err);
      if (res instanceof Error || res.status !== 200) failures.push(res instanceof Error ? res.message : String(res.status));
      else await res.arrayBuffer();
      latencies.push(Date.now() - at);
      await sleep(100);
    }
    clearInterval(trickle);
    for (const s of slow) s.socket.destroy();

    const held = (kind: Slow['kind']) => slow.filter((s) => s.kind === kind).map((s) => (s.closedAt ?? Infinity) - s.openedAt);
    latencies.sort((a, b) => a - b);
    console.log(
      `${latencies.length} normal requests beside 200 slow connections: p50 ${latencies[Math.floor(latencies.length / 2)]} ms, max ${latencies.at(-1)} ms; ` +
        `held at most: silent ${Math.max(...held('silent'))} ms, headers ${Math.max(...held('headers'))} ms, body ${Math.max(...held('body'))} ms`,
    );
    expect(failures).toEqual([]);
    expect(latencies.length).toBeGreaterThan(50);
    expect(latencies.at(-1)).toBeLessThan(2000);
    // Closed by the server (we close none before the end), answered 408 where a request had begun.
    expect(Math.max(...held('silent'), ...held('headers'))).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
    expect(Math.max(...held('body'))).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
    expect(Math.min(...held('headers'))).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 1000);
    expect(slow.filter((s) => s.kind !== 'silent' && !s.received.startsWith('HTTP/1.1 408'))).toEqual([]);
  }, 60_000);
});
