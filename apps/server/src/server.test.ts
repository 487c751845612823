import { setFlagsFromString } from 'node:v8';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type RunningServer } from './server.js';

// V8's own test of an object's property layout, compiled after the flag is set.
setFlagsFromString('--allow-natives-syntax');
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;

describe('listen', () => {
  const app = express();
  const seen: { ownRequestPrototype: boolean; ownResponsePrototype: boolean; fastRequest: boolean; fastResponse: boolean }[] = [];
  const marker = Symbol('marker');
  app.get('/probe', (req, res) => {
    // A keyed store, as middleware makes: on a slow-mode object it would be a dictionary insert.
    (res as unknown as Record<symbol, number>)[marker] = 1;
    seen.push({
      ownRequestPrototype: Object.getPrototypeOf(req) === app.request,
      ownResponsePrototype: Object.getPrototypeOf(res) === app.response,
      fastRequest: hasFastProperties(req),
      fastResponse: hasFastProperties(res),
    });
    res.json({ ok: true });
  });
  let running: RunningServer;
  beforeAll(async () => {
    running = await listen(app, 0);
  });
  afterAll(() => running.stop());

  it('builds requests and responses on the app prototypes, with fast properties', async () => {
    for (let i = 0; i < 20; i++) expect((await fetch(`${running.url}/probe`)).status).toBe(200);
    expect(seen).toHaveLength(20);
    for (const s of seen) expect(s).toEqual({ ownRequestPrototype: true, ownResponsePrototype: true, fastRequest: true, fastResponse: true });
  });
});
