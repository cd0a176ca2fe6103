import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLayersModel } from '../../src/convert/convert.js';
import { GenbenchError } from '../../src/errors.js';
import { AddCoords, ArgMax } from '../../reference-models/custom-layers.js';
import { expectSameAsTfjs, normalData, savedArtifacts, seedWeights } from './helpers.js';

const L = tf.layers;
type S = tf.SymbolicTensor;
const ap = (layer: tf.layers.Layer, x: S | S[]): S => layer.apply(x) as S;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('convertLayersModel matches tfjs (cpu backend) to 1e-4', () => {
  it('Conv2D: same/valid, stride 1/2, odd/even kernels, dilation, folded and unfolded BN', async () => {
    const x = tf.input({ shape: [9, 10, 3], name: 'img' });
    const outs = [
      ap(L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'c3s1same' }), x),
      ap(L.conv2d({ filters: 4, kernelSize: 4, strides: 2, padding: 'same', name: 'c4s2same' }), x),
      ap(L.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'valid', name: 'c3s2valid', activation: 'relu' }), x),
      ap(L.conv2d({ filters: 2, kernelSize: [2, 3], strides: [2, 1], padding: 'same', name: 'c23same', activation: 'tanh' }), x),
      ap(L.conv2d({ filters: 3, kernelSize: 3, dilationRate: 2, padding: 'same', name: 'dilated', activation: 'sigmoid' }), x),
      ap(L.batchNormalization({ name: 'bn_folded' }), ap(L.conv2d({ filters: 4, kernelSize: 1, useBias: false, name: 'pw' }), x)),
      ap(L.batchNormalization({ name: 'bn_op' }), ap(L.conv2d({ filters: 4, kernelSize: 5, activation: 'relu', name: 'c5' }), x)),
    ];
    const model = tf.model({ inputs: x, outputs: outs });
    seedWeights(model, 1);
    await expectSameAsTfjs({ model, inputs: [normalData([2, 9, 10, 3], 2)], n: 2 });
  });

  it('DepthwiseConv2D with multiplier, strides and both paddings', async () => {
    const x = tf.input({ shape: [11, 8, 3], name: 'img' });
    const outs = [
      ap(L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', name: 'dw_m2_s2' }), x),
      ap(L.depthwiseConv2d({ kernelSize: 4, depthMultiplier: 3, padding: 'valid', name: 'dw_m3_valid', activation: 'relu6' }), x),
      ap(L.batchNormalization({ name: 'dw_bn' }), ap(L.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'dw' }), x)),
    ];
    const model = tf.model({ inputs: x, outputs: outs });
    seedWeights(model, 3);
    await expectSameAsTfjs({ model, inputs: [normalData([2, 11, 8, 3], 4)], n: 2 });
  });

  it('Conv2DTranspose: TF same cropping and valid, even/odd kernels, kernel smaller than stride', async () => {
    const x = tf.input({ shape: [5, 6, 4], name: 'z' });
    const outs = [
      ap(L.conv2dTranspose({ filters: 3, kernelSize: 4, strides: 2, padding: 'same', name: 't4s2same' }), x),
      ap(L.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', name: 't3s2same' }), x),
      ap(L.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'valid', name: 't3s2valid' }), x),
      ap(L.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 3, padding: 'valid', name: 't2s3valid' }), x),
      ap(L.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 3, padding: 'same', name: 't2s3same' }), x),
      ap(L.batchNormalization({ name: 't_bn' }), ap(L.conv2dTranspose({ filters: 2, kernelSize: 5, padding: 'same', name: 't5s1' }), x)),
    ];
    const model = tf.model({ inputs: x, outputs: outs });
    seedWeights(model, 5);
    await expectSameAsTfjs({ model, inputs: [normalData([2, 5, 6, 4], 6)], n: 2 });
  });

  it('Flatten after conv keeps keras H, W, C order; Dense, BN on dense, activations, Reshape', async () => {
    const x = tf.input({ shape: [6, 5, 3], name: 'img' });
    const c = ap(L.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', name: 'conv' }), x);
    const flat = ap(L.flatten({ name: 'flat' }), c);
    const d = ap(L.batchNormalization({ name: 'd_bn' }), ap(L.dense({ units: 7, name: 'd' }), flat));
    const acts = [
      ap(L.leakyReLU({ alpha: 0.2, name: 'leaky' }), d),
      ap(L.reLU({ maxValue: 1.5, name: 'relu_max' }), d),
      ap(L.reLU({ name: 'relu' }), d),
      ap(L.activation({ activation: 'softmax', name: 'softmax' }), d),
      ap(L.softmax({ name: 'softmax_layer' }), d),
      ap(L.activation({ activation: 'elu', name: 'elu' }), d),
      ap(L.activation({ activation: 'softplus', name: 'softplus' }), d),
      ap(L.activation({ activation: 'hardSigmoid', name: 'hard_sigmoid' }), d),
    ];
    const r = ap(L.reshape({ targetShape: [3, -1, 2], name: 'reshape' }), ap(L.dense({ units: 12, activation: 'selu', name: 'd12' }), flat));
    const model = tf.model({ inputs: x, outputs: [flat, ...acts, r] });
    seedWeights(model, 7);
    await expectSameAsTfjs({ model, inputs: [normalData([3, 6, 5, 3], 8)], n: 3 });
  });

  it('Concatenate (image + reshaped dense), ZeroPadding2D, pooling, GAP, Dropout, Embedding conditioning', async () => {
    const img = tf.input({ shape: [8, 7, 2], name: 'img' });
    const label = tf.input({ shape: [1], name: 'label' });
    const emb = ap(L.reshape({ targetShape: [8, 7, 1], name: 'emb_img' }), ap(L.embedding({ inputDim: 10, outputDim: 56, name: 'emb' }), label));
    const conv = ap(L.conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'conv' }), img);
    const cat = ap(L.concatenate({ axis: -1, name: 'cat' }), [conv, emb, img]);
    const pad = ap(L.zeroPadding2d({ padding: [[1, 2], [0, 3]], name: 'pad' }), cat);
    const outs = [
      pad,
      ap(L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'maxpool' }), pad),
      ap(L.averagePooling2d({ poolSize: 2, strides: 2, padding: 'same', name: 'avgpool' }), cat),
      ap(L.averagePooling2d({ poolSize: 2, padding: 'valid', name: 'avgpool_valid' }), cat),
      ap(L.dropout({ rate: 0.5, name: 'drop' }), ap(L.globalAveragePooling2d({ name: 'gap' }), cat)),
      ap(L.concatenate({ axis: 1, name: 'cat_h' }), [conv, ap(L.reLU({ name: 'conv_relu' }), conv)]),
      ap(L.add({ name: 'sum' }), [conv, conv]),
    ];
    const model = tf.model({ inputs: [img, label], outputs: outs });
    seedWeights(model, 9);
    const labels = Float32Array.of(3, 0, 9);
    await expectSameAsTfjs({ model, inputs: [normalData([3, 8, 7, 2], 10), labels], n: 3 });
  });

  it('a Sequential model and intermediate outputs', async () => {
    const model = tf.sequential({
      layers: [
        L.conv2d({ inputShape: [12, 12, 1], filters: 4, kernelSize: 3, activation: 'relu', name: 's_conv' }),
        L.maxPooling2d({ poolSize: 2, name: 's_pool' }),
        L.flatten({ name: 's_flat' }),
        L.dense({ units: 5, activation: 'softmax', name: 's_out' }),
      ],
    });
    seedWeights(model, 11);
    await expectSameAsTfjs({ model, layers: ['s_pool', 's_out'], inputs: [normalData([2, 12, 12, 1], 12)], n: 2 });
  });

  it("genbench's AddCoords (row and column grids in [-1, 1]) and ArgMax (the winning channel as float) on conv features", async () => {
    const x = tf.input({ shape: [6, 5, 1], name: 'img' });
    const xy = ap(new AddCoords({ name: 'coords' }), x);
    const scores = ap(L.conv2d({ filters: 7, kernelSize: 3, padding: 'same', name: 'scores' }), xy);
    const model = tf.model({ inputs: x, outputs: [xy, scores, ap(new ArgMax({ name: 'labels' }), scores)] });
    seedWeights(model, 13);
    const inputs = [normalData([3, 6, 5, 1], 14)];
    await expectSameAsTfjs({ model, layers: ['scores'], inputs, n: 3 });
    await expectSameAsTfjs({ model, layers: ['coords', 'labels'], inputs, n: 3 }, 0); // grids and indices exactly
    const grid = (model.predict(tf.zeros([1, 6, 5, 1])) as tf.Tensor[])[0]!;
    expect([...grid.dataSync().slice(0, 6)]).toEqual([0, -1, -1, 0, -1, -0.5]); // pixels (0,0) and (0,1): value, row, column
    grid.dispose();
  });
});

describe('convertLayersModel errors', () => {
  it('names an unsupported layer and its class', async () => {
    const x = tf.input({ shape: [8, 3], name: 'seq' });
    const y = ap(L.conv1d({ filters: 2, kernelSize: 3, name: 'my_conv1d' }), x);
    const { modelTopology, weights } = await savedArtifacts(tf.model({ inputs: x, outputs: y }));
    const err = (() => {
      try {
        convertLayersModel({ modelTopology }, weights);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(GenbenchError);
    expect((err as GenbenchError).code).toBe('UNSUPPORTED');
    expect((err as Error).message).toMatch(/layer 'my_conv1d' \(Conv1D\) is not supported/);
  });

  it('names an unknown output layer', async () => {
    const x = tf.input({ shape: [4], name: 'v' });
    const { modelTopology, weights } = await savedArtifacts(tf.model({ inputs: x, outputs: ap(L.dense({ units: 2, name: 'd' }), x) }));
    expect(() => convertLayersModel({ modelTopology }, weights, { outputs: ['nope'] })).toThrow(/no layer 'nope'/);
  });
});
