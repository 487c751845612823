// A webhook receiver for the container check: a node:http server on 127.0.0.1 that keeps each
// request's raw body and headers, so the check can verify signatures over the exact bytes.
import { once } from 'node:events';
import { createServer } from 'node:http';

export async function startReceiver() {
  const received = [];
  let notify = () => {};
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ method: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
      notify();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** Resolves to the first request `accept` returns a value for, or rejects after `ms`. */
    waitFor(accept, ms) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no accepted delivery within ${ms / 1000} s (${received.length} received)`)), ms);
        notify = () => {
          for (const request of received) {
            const value = accept(request);
            if (value !== undefined) {
              clearTimeout(timer);
              notify = () => {};
              resolve(value);
              return;
            }
          }
        };
        notify();
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
