import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { GenbenchError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { sliceImages, toUint8, type ImageBatchU8 } from '../io/image.js';
import { writeNpy } from '../io/npy.js';
import { encodePngAs, writeGridPng } from '../io/png.js';
import { checkOutputs, log, parseIntFlag, printJson, printLine } from './output.js';
import { stderrProgress } from './progress-bar.js';

/** Above this many images a progress bar is drawn on stderr. */
const PROGRESS_FROM = 512;

interface SampleFlags {
  generator: string;
  n?: string;
  seed: string;
  labels?: string;
  class?: string;
  grid?: string;
  out?: string;
  outDir?: string;
  batchSize: string;
  backend?: string;
  engine?: string;
  json?: boolean;
  quiet?: boolean;
}

/**
 * `genbench sample`: loads a generator checkpoint (verified against its manifest), draws n images from a seed, and
 * writes a PNG grid, the uint8 images as .npy [n, h, w, c] and/or one PNG per image into a folder (000000.png, ...,
 * in sample order), each of which `genbench evaluate --generated` scores.
 *
 * @example
 * genbench sample --generator subs/mnist-dcgan.onnx --n 64 --grid g.png   # prints: wrote g.png (64 images, 8x8)
 */
export function sampleCommand(): Command {
  return new Command('sample')
    .description('draw images from a generator checkpoint (.onnx file or TF.js folder with its genbench.json manifest)')
    .requiredOption('--generator <path>', 'checkpoint: X.onnx (manifest X.genbench.json beside it) or a TF.js model folder')
    .option('--n <count>', 'number of images (default 64, or the number of --labels)')
    .option('--seed <int>', 'seed of the latents (standard normals, row-major [n, latent_dim])', '0')
    .option('--labels <list>', 'class labels for a conditional model, comma-separated, one per image (default i % classes)')
    .option('--class <k>', 'one class label for every image (conditional models)')
    .option('--grid <file.png>', 'write a PNG grid of the images')
    .option('--out <file.npy>', 'write the images as uint8 .npy [n, height, width, channels]')
    .option('--out-dir <folder>', 'write one PNG per image into this folder (000000.png, ...; created if missing)')
    .option('--batch-size <int>', 'images per forward pass', '64')
    .option('--backend <name>', 'tfjs backend for TF.js checkpoints: node-gpu, node, wasm, cpu')
    .option('--engine <name>', 'what runs TF.js layers checkpoints: onnx (converted once, cached; default, or GENBENCH_ENGINE) or tfjs')
    .option('--json', 'print a machine-readable summary on stdout')
    .option('--quiet', 'no progress bar')
    .action(runSample);
}

async function runSample(flags: SampleFlags): Promise<void> {
  const started = performance.now();
  const seed = parseIntFlag('seed', flags.seed, { min: 0, max: 0xffffffff });
  const batchSize = parseIntFlag('batch-size', flags.batchSize, { min: 1 });
  const labels = parseLabels(flags);
  const engine = parseEngine(flags.engine);
  const n = flags.n !== undefined ? parseIntFlag('n', flags.n, { min: 1 }) : (labels?.length ?? 64);
  const fullLabels = labels && labels.length === 1 && flags.class !== undefined ? new Int32Array(n).fill(labels[0]!) : labels;
  if (fullLabels && fullLabels.length !== n) {
    throw new GenbenchError('USAGE', `--labels: got ${fullLabels.length} labels for --n ${n} (give one per image, or use --class K)`);
  }

  await checkOutputs({ '--grid': flags.grid, '--out': flags.out });
  if (flags.outDir !== undefined) await makeFolder(flags.outDir); // before the work, like the other outputs
  const { loadGenerator } = await import('../models/load.js'); // tfjs and onnxruntime load only when needed
  const g = await loadGenerator(flags.generator, {
    ...(flags.backend === undefined ? {} : { backend: flags.backend }),
    ...(engine === undefined ? {} : { engine }),
    onNote: (message) => log(`note: ${message}`),
  });
  try {
    const progress = n >= PROGRESS_FROM ? stderrProgress({ quiet: flags.quiet ?? false }) : undefined;
    const batch = await g.sample({
      n,
      seed,
      batchSize,
      ...(fullLabels ? { labels: fullLabels } : {}),
      ...(progress ? { progress } : {}),
    });
    const u8 = toUint8(batch);
    const written: { grid?: string; npy?: string; folder?: string } = {};
    if (flags.grid !== undefined) {
      written.grid = resolve(flags.grid);
      await writeGridPng(written.grid, u8);
    }
    if (flags.out !== undefined) {
      written.npy = resolve(flags.out);
      await writeNpy(written.npy, u8.data, [n, u8.height, u8.width, u8.channels]);
    }
    if (flags.outDir !== undefined) written.folder = await writePngFolder(flags.outDir, u8);
    const summary = {
      model: g.manifest.name,
      format: g.manifest.format,
      path: g.path,
      sha256: g.sha256,
      n,
      seed,
      labels: g.classes === undefined ? null : fullLabels ? 'given' : `i % ${g.classes}`,
      shape: [n, u8.height, u8.width, u8.channels],
      range: g.manifest.output_range,
      written,
      engine: g.engine,
      seconds: Math.round((performance.now() - started) / 10) / 100,
    };
    if (flags.json) printJson(summary);
    else printHuman(summary);
    if (flags.grid === undefined && flags.out === undefined && flags.outDir === undefined) log('note: nothing was written (pass --grid, --out and/or --out-dir)');
  } finally {
    g.dispose();
  }
}

function parseEngine(value: string | undefined): 'onnx' | 'tfjs' | undefined {
  if (value === undefined || value === 'onnx' || value === 'tfjs') return value;
  throw new GenbenchError('USAGE', `--engine ${value}: use 'onnx' or 'tfjs'`);
}

/** --labels 0,1,2 or --class K (not both); checked against the model's classes by the generator. */
function parseLabels(flags: SampleFlags): Int32Array | undefined {
  if (flags.labels !== undefined && flags.class !== undefined) {
    throw new GenbenchError('USAGE', 'give --labels or --class, not both');
  }
  if (flags.class !== undefined) return Int32Array.of(parseIntFlag('class', flags.class, { min: 0 }));
  if (flags.labels === undefined) return undefined;
  const parts = flags.labels.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (parts.length === 0) throw new GenbenchError('USAGE', '--labels: expected comma-separated integers, e.g. 0,1,2');
  return Int32Array.from(parts, (p) => parseIntFlag('labels', p, { min: 0 }));
}

/** One PNG per image, named by its index (zero-padded, so path order is sample order), each written atomically. */
async function writePngFolder(dir: string, u8: ImageBatchU8): Promise<string> {
  const root = await makeFolder(dir);
  const digits = Math.max(6, String(u8.n - 1).length);
  for (let i = 0; i < u8.n; i++) {
    const img = sliceImages(u8, i, i + 1);
    await writeFileAtomic(join(root, `${String(i).padStart(digits, '0')}.png`), encodePngAs(img.data, u8.width, u8.height, u8.channels));
  }
  return root;
}

async function makeFolder(dir: string): Promise<string> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true }).catch((e: NodeJS.ErrnoException) => {
    throw new GenbenchError('USAGE', `--out-dir ${dir}: cannot create the folder (${e.code ?? e.message})`);
  });
  return root;
}

function printHuman(s: { model: string; engine: string; n: number; seed: number; shape: number[]; written: { grid?: string; npy?: string; folder?: string }; seconds: number }): void {
  printLine(`${s.model}: ${s.n} images [${s.shape.slice(1).join('x')}], seed ${s.seed}, ${s.engine}, ${s.seconds} s`);
  if (s.written.grid) printLine(`wrote ${s.written.grid}`);
  if (s.written.npy) printLine(`wrote ${s.written.npy}`);
  if (s.written.folder) printLine(`wrote ${s.n} PNG files into ${s.written.folder}`);
}
