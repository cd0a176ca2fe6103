import { GenbenchError } from '../errors.js';
import { axisWeights } from '../io/image-codec.js';
import type { Preprocessing } from '../features/types.js';
import type { GraphBuilder, KTensor } from './graph-builder.js';

/**
 * An extractor's declared preprocessing (features/types.ts `Preprocessing`) as ONNX nodes in front of the network,
 * so a batch goes from uint8 pixels to network input without a per-pixel JavaScript pass. It reproduces
 * features/preprocess.ts exactly: alpha dropped, the resize of io/image-codec.ts (the SAME separable filter weights,
 * from its `axisWeights`, applied as two float64 MatMuls: rows first, then columns), rounded half up
 * (floor(x + 0.5), what Math.round does) and clipped to 0..255, scaled to `range` in float64 and cast to float32
 * once, and gray replicated to RGB after the resize. For dyadic weights (e.g. 28 -> 224 bilinear) every step is
 * exact, so the input equals preprocessBatch's bit for bit; otherwise a pixel can differ by one 8-bit level only
 * where the float64 sum lies within rounding error of a .5 tie.
 *
 * @example
 * preprocessInput(g, { inHeight: 28, inWidth: 28, inChannels: 1, preprocessing: mobilenetPreprocessing() }, [224, 224, 3], 'input_1');
 * // graph input 'pixels' uint8 [N, 28, 28, 1] -> { shape: [224, 224, 3], layout: 'nchw' }
 */
export interface GraphPreprocess {
  readonly inHeight: number;
  readonly inWidth: number;
  readonly inChannels: 1 | 3 | 4;
  readonly preprocessing: Preprocessing;
}

/** Name of the uint8 graph input [N, inHeight, inWidth, inChannels] (NHWC) when preprocessing is in the graph. */
export const PIXELS_INPUT = 'pixels';

export function preprocessInput(g: GraphBuilder, pre: GraphPreprocess, netShape: readonly number[], name: string): KTensor {
  const p = pre.preprocessing;
  if (p.layout !== 'NHWC' || netShape.length !== 3 || netShape[0] !== p.height || netShape[1] !== p.width || netShape[2] !== p.channels) {
    throw new GenbenchError('INPUT', `input layer '${name}' has shape ${netShape.join('x')} but the preprocessing makes ${p.height}x${p.width}x${p.channels} (${p.layout})`);
  }
  if (p.channels === 1 && pre.inChannels !== 1) throw new GenbenchError('UNSUPPORTED', 'in-graph preprocessing: RGB -> gray is not done in the graph; use the JavaScript path');
  g.input(PIXELS_INPUT, [pre.inHeight, pre.inWidth, pre.inChannels], 'uint8');
  let x = g.node('Cast', [PIXELS_INPUT], 'pre/f64', { to: { int: 11 } });
  x = g.node('Transpose', [x], 'pre/nchw', { perm: { ints: [0, 3, 1, 2] } });
  if (pre.inChannels === 4) x = g.node('Slice', [x, g.constI64('pre/c0', [0]), g.constI64('pre/c3', [3]), g.constI64('pre/c_axis', [1])], 'pre/rgb');
  if (pre.inHeight !== p.height || pre.inWidth !== p.width) {
    const rx = resizeMatrix(pre.inWidth, p.width, p.filter, true);
    const ry = resizeMatrix(pre.inHeight, p.height, p.filter, false);
    x = g.node('MatMul', [x, g.constF64('pre/resize_x', [pre.inWidth, p.width], rx)], 'pre/resize_rows');
    x = g.node('MatMul', [g.constF64('pre/resize_y', [p.height, pre.inHeight], ry), x], 'pre/resize_cols');
    x = g.node('Floor', [g.node('Add', [x, f64(g, 'pre/half', 0.5)], 'pre/plus_half')], 'pre/round');
    x = g.node('Clip', [x, f64(g, 'pre/zero', 0), f64(g, 'pre/u8max', 255)], 'pre/clip');
  }
  const [lo, hi] = p.range;
  x = g.node('Mul', [x, f64(g, 'pre/scale', (hi - lo) / 255)], 'pre/scaled');
  x = g.node('Add', [x, f64(g, 'pre/offset', lo)], 'pre/shifted');
  x = g.node('Cast', [x], 'pre/f32', { to: { int: 1 } });
  if (pre.inChannels === 1 && p.channels === 3) x = g.node('Expand', [x, g.constI64('pre/rgb_shape', [1, 3, 1, 1])], 'pre/replicate');
  return { name: x, shape: [p.height, p.width, p.channels], layout: 'nchw' };
}

function f64(g: GraphBuilder, name: string, v: number): string {
  return g.constF64(name, [], Float64Array.of(v));
}

/**
 * The resize along one axis as a dense matrix: io/image-codec.ts's weights, [in, out] (transposed, to multiply rows
 * from the right) or [out, in].
 *
 * @example
 * resizeMatrix(2, 4, 'nearest', false); // Float64Array [1, 0, 1, 0, 0, 1, 0, 1]
 */
export function resizeMatrix(inSize: number, outSize: number, filter: Preprocessing['filter'], transposed: boolean): Float64Array {
  const { start, weights } = axisWeights(inSize, outSize, filter);
  const m = new Float64Array(inSize * outSize);
  for (let o = 0; o < outSize; o++) {
    const w = weights[o]!;
    for (let j = 0; j < w.length; j++) {
      const i = start[o]! + j;
      m[transposed ? i * outSize + o : o * inSize + i] = w[j]!;
    }
  }
  return m;
}
