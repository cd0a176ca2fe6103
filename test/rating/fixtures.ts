import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { PNG } from 'pngjs';
import type { ImageBatchU8 } from '../../src/io/image.js';
import type { RatingImageSource } from '../../src/rating/images.js';
import { errorMiddleware } from '../../src/server/errors.js';
import { InProcessQueue } from '../../src/server/queue.js';
import { rateRoutes, type RatingOptions } from '../../src/server/routes/rate.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createSubmission, setSubmissionStatus } from '../../src/store/submissions.js';

/** An in-memory store with the rating tables, in a temp data folder. */
export async function ratingStore(): Promise<{ store: Store; dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'genbench-rating-test-'));
  const store = await openStore({ db: ':memory:', dataDir: join(dir, 'files') }); // migrations include ratingMigrations
  return { store, dir, cleanup: async () => { await store.close(); await rm(dir, { recursive: true, force: true }); } };
}

/** A model with a finished ('done') submission and no files (images come from a synthetic source). */
export async function addModel(store: Store, name: string, files: { name: string; sha256: string; size: number }[] = [], mainFile = 'model.onnx'): Promise<string> {
  const { model, submission } = await createSubmission(store.sql, {
    model: { name, kind: 'submission', format: 'onnx', manifest: { name, dataset: 'mnist', license: 'CC0-1.0' } },
    files,
    mainFile,
    dataset: 'mnist',
  });
  await setSubmissionStatus(store.sql, submission.id, 'done');
  return model.id;
}

/**
 * Synthetic images that a test rater can tell apart by the centre pixel: real images have a white centre (255),
 * fake ones a grey centre (128). Vigilance images are noise (any value).
 */
export function syntheticImages(opts: { real?: number; fake?: number } = {}): RatingImageSource {
  const batch = (n: number, centre: number): ImageBatchU8 => {
    const data = new Uint8Array(n * 28 * 28);
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < 784; p++) data[i * 784 + p] = (p + i) % 7; // distinct images
      data[i * 784 + 14 * 28 + 14] = centre;
    }
    return { data, n, height: 28, width: 28, channels: 1 };
  };
  const real = batch(opts.real ?? 200, 255);
  const fake = batch(opts.fake ?? 200, 128);
  return { real: async () => ({ dataset: 'mnist', images: real }), fakes: async () => fake };
}

/**
 * What a served synthetic image is: real (white centre on a background below 7), fake (grey 128 centre) or noise,
 * allowing for the ±1 dither of the display path.
 */
export function syntheticKind(dataUrl: string): 'real' | 'fake' | 'noise' {
  const png = PNG.sync.read(Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64'));
  const centre = (14 * png.width + 14) * 4;
  for (let p = 0; p < png.data.length; p += 4) if (p !== centre && png.data[p]! > 7) return 'noise';
  const c = png.data[centre]!;
  return c >= 254 ? 'real' : Math.abs(c - 128) <= 1 ? 'fake' : 'noise';
}

/** The answer of a perfect test rater on synthetic images. */
export function perfectAnswer(dataUrl: string): 'real' | 'fake' {
  return syntheticKind(dataUrl) === 'real' ? 'real' : 'fake';
}

/** A server with only the rating routes (and the app's error middleware) on 127.0.0.1, port 0. */
export async function startRateServer(store: Store, rating: RatingOptions): Promise<{ base: string; close: () => Promise<void> }> {
  const app = express();
  const queue = new InProcessQueue();
  app.use(rateRoutes({ store, queue, rating }));
  app.use(errorMiddleware((e) => console.error(e)));
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A fetch client that keeps the rater cookie, like a browser. */
export class Client {
  cookie: string | undefined;
  constructor(readonly base: string) {}
  async call(path: string, body?: unknown): Promise<{ status: number; json: any; headers: Headers }> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookie !== undefined) headers['cookie'] = this.cookie;
    const res = await fetch(this.base + path, { method: body === undefined ? 'GET' : 'POST', headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const set = res.headers.get('set-cookie');
    if (set !== null) this.cookie = set.split(';')[0];
    const text = await res.text();
    return { status: res.status, json: text.startsWith('{') ? JSON.parse(text) : text, headers: res.headers };
  }
}
