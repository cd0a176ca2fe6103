import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Progress } from '../../src/progress.js';

/** How the test server answers one path. */
export type Route =
  | { readonly kind: 'ok'; readonly body: Uint8Array }
  | { readonly kind: 'truncate'; readonly body: Uint8Array; readonly sendBytes: number } // declares full length, sends less, drops
  | { readonly kind: 'short-chunked'; readonly body: Uint8Array; readonly sendBytes: number } // no Content-Length, ends early
  | { readonly kind: 'stall'; readonly body: Uint8Array; readonly sendBytes: number } // sends some bytes, then nothing
  | { readonly kind: 'status'; readonly status: number };

/** A node:http server on 127.0.0.1, port 0, answering from a route table; counts requests per path. */
export interface TestServer {
  readonly base: string;
  readonly hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startServer(routes: ReadonlyMap<string, Route>): Promise<TestServer> {
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = routes.get(path);
    if (route === undefined) {
      res.writeHead(404, 'Not Found').end('no such file');
    } else if (route.kind === 'status') {
      res.writeHead(route.status).end();
    } else if (route.kind === 'ok') {
      res.writeHead(200, { 'Content-Length': String(route.body.length) }).end(Buffer.from(route.body));
    } else if (route.kind === 'truncate') {
      res.writeHead(200, { 'Content-Length': String(route.body.length) });
      res.write(Buffer.from(route.body.subarray(0, route.sendBytes)), () => res.socket?.destroy());
    } else if (route.kind === 'stall') {
      res.writeHead(200, { 'Content-Length': String(route.body.length) });
      res.write(Buffer.from(route.body.subarray(0, route.sendBytes))); // and never ends (closed by close())
    } else {
      res.writeHead(200); // chunked, no Content-Length
      res.end(Buffer.from(route.body.subarray(0, route.sendBytes)));
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** Deterministic test bytes (no randomness): byte i = (i * 31 + seed) mod 251. */
export function testBytes(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) % 251;
  return out;
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A Progress that records what it was told. */
export function recordingProgress(): Progress & { starts: { total: number; label: string }[]; ticked: number; stops: number } {
  const rec = {
    starts: [] as { total: number; label: string }[],
    ticked: 0,
    stops: 0,
    start(total: number, label: string) {
      rec.starts.push({ total, label });
    },
    tick(n = 1) {
      rec.ticked += n;
    },
    stop() {
      rec.stops += 1;
    },
  };
  return rec;
}
