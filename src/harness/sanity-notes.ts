import type { FeatureExtractor } from '../features/types.js';
import type { ImageBatchU8 } from '../io/image.js';

/**
 * Metrics whose sanity verdict would mislead for this extractor and dataset, with the reason. Today one case: IS
 * read from an ImageNet classifier (the built-in MobileNets, 1000 ImageNet classes) on a grayscale dataset (MNIST,
 * Fashion-MNIST, PneumoniaMNIST, ...). Such images fall into a few ImageNet classes whatever they show, so IS moves
 * with how ImageNet-like the strokes look, not with how many of the dataset's own classes a sample covers: its
 * trend says nothing about sample quality and gets no verdict.
 *
 * @example
 * uninformativeMetrics({ fx, images: mnist.images, labels: mnist.labels, dataset: 'mnist' });
 * // { is: "IS reads mobilenet-v1-0.25's 1000 ImageNet classes; on grayscale mnist (10 classes) they say nothing ..." }
 */
export function uninformativeMetrics(o: {
  readonly fx: Pick<FeatureExtractor, 'keyId' | 'defaults' | 'layers'>;
  readonly images: ImageBatchU8;
  readonly labels?: Int32Array;
  readonly dataset: string;
}): Record<string, string> {
  const scores = o.fx.defaults.classScores;
  const classes = o.fx.layers.find((l) => l.name === scores)?.dim;
  if (!o.fx.keyId.startsWith('mobilenet-') || o.images.channels !== 1 || classes === undefined) return {};
  const own = o.labels === undefined ? '' : ` (${new Set(o.labels).size} classes)`;
  return {
    is:
      `IS reads ${o.fx.keyId}'s ${classes} ImageNet classes; on grayscale ${o.dataset}${own} they say nothing about the dataset's own classes, so its trend gets no verdict` +
      ` (IS on the dataset's classes: --extractor classifier:${o.dataset} or classifier:<run folder>)`,
  };
}
