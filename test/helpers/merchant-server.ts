/**
 * A merchant's receiver for recover's result webhooks (and the API's retry-status calls): a real
 * node:http server on 127.0.0.1 that records every request (headers, raw body) and answers from
 * a script: a status per request in order (200, 500, 410 …), optionally slow or never.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** One scripted answer: a status, with an optional delay (ms) or `hang` (never answers). */
export type Answer = number | { status: number; delayMs?: number; body?: string } | 'hang';

export interface MerchantServer {
  url: string;
  received: Received[];
  /** Answers for the next requests, in order; when empty, `fallback` (default 200). */
  script(...answers: Answer[]): void;
  fallback: Answer;
  /** Resolves once `n` requests have arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startMerchantServer(path = '/hooks/recover'): Promise<MerchantServer> {
  const received: Received[] = [];
  const queue: Answer[] = [];
  const waiters: Array<() => void> = [];
  const hung: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      });
      for (const w of waiters.splice(0)) w();
      const a = queue.shift() ?? ms.fallback;
      if (a === 'hang') {
        hung.push(res);
        return;
      }
      const { status, delayMs = 0, body = '' } = typeof a === 'number' ? { status: a } : a;
      setTimeout(() => {
        if (!res.destroyed) res.writeHead(status, { 'content-type': 'text/plain' }).end(body || `answer ${status}`);
      }, delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const ms: MerchantServer = {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    fallback: 200,
    script: (...answers) => void queue.push(...answers),
    async waitFor(n, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > deadline) throw new Error(`merchant server: ${received.length} of ${n} requests arrived`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
      return received.slice(0, n);
    },
    async close() {
      for (const r of hung) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return ms;
}
