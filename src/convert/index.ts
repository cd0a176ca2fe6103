/**
 * TF.js / keras layers models -> ONNX, for inference on onnxruntime-node.
 *
 * @example
 * const { modelJson, weights } = await readLayersModelFiles('/data/genbench-assets/models/mobilenet_v1_0.75_224');
 * const bytes = convertLayersModel(modelJson, weights, { outputs: ['global_average_pooling2d_1'] }); // ONNX ModelProto
 */
export { convertLayersModel, CONVERTER_VERSION, LAYER_CONVERTERS, type ConvertOptions } from './convert.js';
export { cachedConversion, conversionKey, conversionKeyRecord, onnxCacheDir, type ConversionKeyParts, type ConversionResult } from './cache.js';
export { decodeWeights, readLayersModelFiles, type NamedWeights, type Weight } from './weights.js';
export { PIXELS_INPUT, preprocessInput, resizeMatrix, type GraphPreprocess } from './preprocess-graph.js';
export { encodeModel, type AttrValue, type ElemType, type ModelInfo, type OnnxGraph, type OnnxNode, type OnnxTensor, type ValueInfo } from '../io/onnx-model.js';
export { ProtoWriter, varint } from '../io/protobuf.js';
