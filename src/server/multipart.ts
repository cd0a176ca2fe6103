import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request } from 'express';
import busboy from 'busboy';
import { HttpError } from '../errors.js';
import { maxRequestBytes, type UploadLimits } from './upload-limits.js';

/**
 * The streaming multipart parser of submissions (busboy underneath). Every file part of the field `files` is written
 * to `<dir>/<n>.part` (server-chosen names) while its bytes are counted against its own cap: JSON files (names ending
 * in `.json`: the manifest, model.json, report.json) against `maxJsonBytes`, the others against `maxFileBytes`; the
 * raw body is counted against the request cap too (a chunked body has no Content-Length to check up front). The
 * moment a cap is passed the parse stops with a 413: nothing more is written or buffered, the rest of the body is
 * not read (see `stopReading`), so memory and disk stay within the caps however large the body.
 *
 * @example
 * const got = await receiveMultipart(req, { dir: '/tmp/genbench-upload-x', limits });
 * got.files;  // [{ name: 'g.onnx', path: '/tmp/genbench-upload-x/0.part', size: 2048 }, ...]
 * got.fields; // { dataset: 'mnist' }
 */
export interface ReceivedFile {
  /** The client's file name (untrusted: checked by checkUpload). */
  readonly name: string;
  readonly path: string;
  readonly size: number;
}

export interface ReceivedUpload {
  readonly files: readonly ReceivedFile[];
  readonly fields: Readonly<Record<string, string>>;
}

/** Text fields a submission form may carry, and the bytes of each. */
const MAX_FIELDS = 8;
const MAX_FIELD_BYTES = 4096;

/** The cap of one file part: JSON files are small documents, the rest checkpoint bytes. */
export function partCap(name: string, limits: UploadLimits): number {
  return /\.json$/i.test(name) ? limits.maxJsonBytes : limits.maxFileBytes;
}

export function receiveMultipart(req: Request, opts: { dir: string; limits: UploadLimits }): Promise<ReceivedUpload> {
  const { dir, limits } = opts;
  if (!req.is('multipart')) return Promise.resolve({ files: [], fields: {} });
  return new Promise<ReceivedUpload>((resolve, reject) => {
    const files: ReceivedFile[] = [];
    const fields: Record<string, string> = {};
    const writes: Promise<void>[] = [];
    const open = new Set<NodeJS.ReadableStream & { destroy(): void }>();
    let failed = false;
    let parser: busboy.Busboy;
    const fail = (e: HttpError) => {
      if (failed) return;
      failed = true;
      req.unpipe(parser);
      parser.destroy();
      for (const stream of open) stream.destroy();
      req.off('data', countBody);
      stopReading(req);
      reject(e);
    };
    const requestCap = maxRequestBytes(limits);
    let bodyBytes = 0;
    const countBody = (chunk: Buffer) => {
      bodyBytes += chunk.length;
      if (bodyBytes > requestCap) fail(new HttpError(413, 'INPUT', `request body passed ${requestCap} bytes, more than this server accepts per submission`));
    };
    try {
      parser = busboy({ headers: req.headers, limits: { files: limits.maxFiles, fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES + 1, parts: limits.maxFiles + MAX_FIELDS, fieldNameSize: 100 } });
    } catch (e) {
      reject(new HttpError(400, 'INPUT', `upload failed: ${(e as Error).message.split('\n')[0]}; send multipart/form-data`));
      return;
    }
    parser.on('file', (field, stream, info) => {
      if (failed) return void stream.resume();
      if (field !== 'files') return fail(new HttpError(400, 'INPUT', `unexpected file field '${field.slice(0, 60)}': send files in the field "files"`));
      const name = info.filename ?? '';
      const cap = partCap(name, limits);
      const path = join(dir, `${files.length + writes.length}.part`);
      let size = 0;
      open.add(stream);
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          size += chunk.length;
          if (size > cap) done(new HttpError(413, 'INPUT', `${name.slice(0, 80) || 'file'}: larger than ${cap} bytes, the cap of this server for ${cap === limits.maxJsonBytes ? 'a JSON file' : 'a file'}`));
          else done(null, chunk);
        },
      });
      writes.push(
        pipeline(stream, counter, createWriteStream(path)).then(
          () => {
            open.delete(stream);
            files.push({ name, path, size });
          },
          (e: unknown) => fail(e instanceof HttpError ? e : new HttpError(400, 'INPUT', `upload failed: ${(e as Error)?.message?.split('\n')[0] ?? 'malformed multipart body'}`)),
        ),
      );
    });
    parser.on('field', (field, value, info) => {
      if (info.valueTruncated || info.nameTruncated) return fail(new HttpError(413, 'INPUT', `form field '${field.slice(0, 60)}': more than ${MAX_FIELD_BYTES} bytes`));
      fields[field] = value;
    });
    parser.on('filesLimit', () => fail(new HttpError(413, 'INPUT', `too many files: at most ${limits.maxFiles} per submission`)));
    parser.on('partsLimit', () => fail(new HttpError(413, 'INPUT', `too many form parts: at most ${limits.maxFiles} files and ${MAX_FIELDS} fields`)));
    parser.on('fieldsLimit', () => fail(new HttpError(413, 'INPUT', `too many form fields: at most ${MAX_FIELDS}`)));
    parser.on('error', (e: Error) => fail(new HttpError(400, 'INPUT', `upload failed: ${e.message.split('\n')[0]}`)));
    parser.on('close', () => {
      void Promise.all(writes).then(() => {
        if (failed) return;
        req.off('data', countBody);
        resolve({ files: [...files].sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true })), fields });
      });
    });
    req.on('aborted', () => fail(new HttpError(400, 'INPUT', 'upload interrupted: the client closed the connection before the body ended')));
    req.on('data', countBody);
    req.pipe(parser);
  });
}

/** How long a refused request's connection stays open for its answer to be read, before it is cut. */
export const REFUSED_CLOSE_MS = 2000;

/**
 * After a refusal: the body is no longer read (nothing more is received, written or buffered; the client's sending
 * stalls), the answer goes out on the open connection, which a client reads while it is still sending (browsers,
 * curl, Node), and the connection is cut `REFUSED_CLOSE_MS` later unless the client closed it first.
 */
export function stopReading(req: Request): void {
  req.pause();
  if (req.readableEnded) return;
  const cut = setTimeout(() => req.socket.destroy(), REFUSED_CLOSE_MS);
  cut.unref();
  req.once('close', () => clearTimeout(cut));
}
