/**
 * A real HTTP proxy in front of the emulator that can act just before forwarding a request,
 * to make "the object changed between recover's read and its write" happen deterministically
 * (e.g. the customer pays an invoice while recover is pausing it). Not a mock: every request
 * still reaches the emulator unchanged, and the SDK talks HTTP to the proxy.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

export interface Interposer {
  url: string;
  close(): Promise<void>;
}

export type Before = (req: { method: string; path: string; body: string }) => Promise<void> | void;

const open: Interposer[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

export async function interpose(target: string, before: Before): Promise<Interposer> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      void (async () => {
        await before({ method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0], body: body.toString('utf8') });
        const upstream = await fetch(`${target}${req.url}`, {
          method: req.method,
          headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length')) as Record<string, string>,
          body: req.method === 'GET' ? undefined : body,
        });
        const text = Buffer.from(await upstream.arrayBuffer());
        res.writeHead(upstream.status, Object.fromEntries([...upstream.headers].filter(([k]) => k !== 'content-encoding' && k !== 'transfer-encoding')));
        res.end(text);
      })().catch((e: unknown) => {
        res.writeHead(502);
        res.end(String(e));
      });
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const i: Interposer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
  open.push(i);
  return i;
}
