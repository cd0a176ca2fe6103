import type { ImageStack } from '../../metrics/types.js';
import type { DomainClassifier, UnpairedDataset, UnpairedSplit } from '../data/unpaired.js';
import { GenbenchError } from '../errors.js';
import { createExtractor } from '../features/index.js';
import type { FeatureExtractor } from '../features/types.js';
import type { ImageBatchU8 } from '../io/image.js';
import type { Report } from '../io/report.js';
import type { Matrix } from '../linalg/matrix.js';
import type { Progress } from '../progress.js';
import { wilsonInterval } from '../stats/binomial.js';
import type { MetricEntryValue } from './run-metrics.js';
import { fitClassifierInput } from './target-classifier.js';
import { translationReport } from './translate-report.js';
import { asPairImages, asStack, asUint8, cycleError, featureMetrics, loadAndTranslate, pixelGroup, since, writeTiles, type TranslationRun } from './translate-steps.js';

/**
 * Unpaired evaluation: each source image is translated into the target domain, and with no target to compare it
 * with pixel for pixel, the outputs are scored three ways:
 * - against the target domain as a set: FD, KID, precision and recall of the outputs against the target images
 *   (translate-features.ts; `extractor: 'none'` skips them);
 * - against their own inputs: content preservation, `content_ssim`, the mean SSIM between each input and its output
 *   (metrics/pixel.ts, data range of the images) with the pair bootstrap's interval (inputs resampled with their
 *   outputs); it needs outputs of the inputs' shape and range, else it is skipped with a warning;
 * - by the target-domain classifier, when genbench has one for the data (a task's `classifier`:
 *   `pneumonia-normal-to-pneumonia` uses `classifier:pneumoniamnist`, trained once on first use): `target_share`, the
 *   share of outputs whose most probable class is the target class, with a 95% Wilson score interval (outputs as
 *   independent trials), beside the share of the inputs (where a translator starts) and of the real target images
 *   (what the classifier calls the target class at best). User data (`source` + `target`) gets the same share from
 *   the classifier `classifier` names, with `targetClass` (target-classifier.ts). Images of another size than the
 *   classifier's input are resized by its preprocessing (recorded in the params); another aspect ratio is refused.
 * With a reverse translator, `cycle_l1` as in paired runs. The grid shows input | output (| reconstruction) tiles.
 * Ranked by FD when features were computed, else by content_ssim.
 *
 * @example
 * const r = await evaluateTranslation({ translator: 'n2p.onnx', task: 'pneumonia-normal-to-pneumonia' });
 * r.metrics['target_share']; // { value: 0.62, ci95: [0.56, 0.68], inputShare: 0.12, realTargetShare: 0.93, ... }
 */
export async function evaluateUnpaired(run: TranslationRun & { task: UnpairedDataset }): Promise<Report> {
  const { t, task, opts, resamples, seed } = run;
  const start = await loadAndTranslate(run, task, "the outputs are compared with the target domain's images");
  const { split: data, output, prog } = start;
  let translateSeconds = start.translateSeconds;
  const clock = performance.now();
  const metrics: Record<string, MetricEntryValue> = {};
  const params: Record<string, Record<string, string | number | boolean>> = {};
  const warnings: string[] = few(data);
  const features = await featureMetrics(opts, output, data.target, resamples, seed);
  Object.assign(metrics, features?.metrics ?? {});
  const content = await contentSsim(output, data, { resamples, seed, ...prog });
  if ('entry' in content) {
    metrics['content_ssim'] = content.entry;
    params['content'] = content.params;
  } else warnings.push(content.skipped);
  const sides = opts.source === undefined ? { source: `the source images of ${task.name}`, target: `the target images of ${task.name}` } : { source: opts.source, target: opts.target! };
  const classifier = opts.classifier === false || task.classifier === undefined ? undefined : await classifierShare(task.classifier, opts.classifier, output, { ...data, labels: sides }, prog.progress);
  if (classifier !== undefined) {
    metrics['target_share'] = classifier.entry;
    params['classifier'] = classifier.params;
  }
  let reconstructed: ImageStack | undefined;
  if (run.reverse !== undefined) {
    const c = performance.now();
    const r = await cycleError(run.reverse, output, data.target.range, data.source, { resamples, seed, ...prog });
    metrics['cycle_l1'] = r.entry;
    params['cycle'] = r.params;
    reconstructed = r.reconstructed;
    translateSeconds += since(c);
  }
  const metricsSeconds = since(clock);
  if (opts.grid !== undefined) {
    await writeTiles(opts.grid, [data.source, asPairImages(output, data.target.range), ...(reconstructed === undefined ? [] : [asPairImages(reconstructed, data.source.range)])]);
  }
  return translationReport({
    t,
    ...(run.reverse === undefined ? {} : { reverse: run.reverse }),
    mode: 'unpaired',
    data: opts.task !== undefined ? `task ${task.name}` : `source ${opts.source}, target ${opts.target}`,
    name: task.name,
    split: data.split,
    source: data.source,
    target: data.target,
    files: data.files,
    ...(data.preprocessing === undefined ? {} : { loading: data.preprocessing }),
    metrics,
    params,
    ...(features === undefined ? {} : { features }),
    resamples,
    seed,
    covers: 'content_ssim and cycle_l1: the source images, resampled with their outputs',
    rankedBy: features?.ids.includes('fd') ? 'fd' : 'content_ssim',
    warnings,
    seconds: { translate: translateSeconds, metrics: metricsSeconds, total: since(run.started) },
    ...(opts.batchSize === undefined ? {} : { batchSize: opts.batchSize }),
    ...(opts.grid === undefined ? {} : { grid: opts.grid }),
  });
}

function few(d: UnpairedSplit): string[] {
  if (Math.min(d.source.n, d.target.n) >= 30) return [];
  return [`only ${d.source.n} source and ${d.target.n} target images: the intervals are wide and rest on few images`];
}

/** Mean SSIM of each input and its output, or why it cannot be computed. */
async function contentSsim(
  output: ImageStack,
  d: UnpairedSplit,
  o: { resamples: number; seed: number; progress?: Progress },
): Promise<{ entry: MetricEntryValue; params: Record<string, string | number | boolean> } | { skipped: string }> {
  const s = d.source;
  if (output.channels !== s.channels || output.height !== s.height || output.width !== s.width) {
    return { skipped: `content_ssim skipped: outputs are ${output.height}x${output.width}x${output.channels} but inputs ${s.height}x${s.width}x${s.channels}; SSIM compares images of one shape` };
  }
  if (d.target.range[0] !== s.range[0] || d.target.range[1] !== s.range[1]) {
    return { skipped: `content_ssim skipped: outputs are in ${d.target.range.join('..')} but inputs in ${s.range.join('..')}; SSIM compares images of one range` };
  }
  const { results, params } = await pixelGroup({ generated: output, reference: asStack(s) }, s.range[1] - s.range[0], o);
  return { entry: results.ssim! as MetricEntryValue, params: { ...params, of: 'each input and its output' } };
}

/** The share of outputs the target-domain classifier assigns to the target class, with its Wilson interval. */
async function classifierShare(
  spec: DomainClassifier,
  given: string | FeatureExtractor | undefined,
  output: ImageStack,
  d: UnpairedSplit & { readonly labels: { readonly source: string; readonly target: string } },
  progress: Progress | undefined,
): Promise<{ entry: MetricEntryValue; params: Record<string, string | number | boolean> }> {
  const sides = [{ label: d.labels.source, ...d.source }, { label: d.labels.target, ...d.target }];
  if (spec.input !== undefined) fitClassifierInput(spec.extractor, spec.input, sides); // before it is opened (or trained)
  const fx = typeof given === 'object' ? given : await createExtractor(given ?? spec.extractor, progress === undefined ? {} : { progress });
  try {
    const resized = fitClassifierInput(fx.id, fx.preprocessing, sides);
    const layer = fx.defaults.classScores;
    if (layer === undefined) throw new GenbenchError('USAGE', `classifier '${fx.id}' has no class-score layer; the target-domain classifier needs one (e.g. classifier:<dataset>)`);
    const share = async (b: ImageBatchU8) => hits((await fx.extract(b, { layers: [layer] }))[layer]!, spec.targetLabel);
    const out = await share(asUint8(output, d.target.range));
    const inputs = await share(asUint8(d.source, d.source.range));
    const targets = await share(asUint8(d.target, d.target.range));
    const accuracy = fx.info?.['heldout_accuracy'];
    const entry: MetricEntryValue = {
      value: out / output.n,
      ci95: wilsonInterval(out, output.n),
      ciMethod: 'Wilson score interval (binomial: the outputs as independent trials)',
      classified: out,
      of: output.n,
      targetClass: spec.targetClass,
      inputShare: inputs / d.source.n,
      realTargetShare: targets / d.target.n,
    };
    const params = {
      extractor: fx.keyId,
      weightsSha256: fx.weightsSha256,
      layer,
      targetLabel: spec.targetLabel,
      targetClass: spec.targetClass,
      rule: 'most probable class is the target class',
      ...(resized === undefined ? {} : { resize: `${resized} (${fx.preprocessing.filter})` }),
      ...(accuracy === undefined ? {} : { heldoutAccuracy: accuracy }),
    };
    return { entry, params };
  } finally {
    if (typeof given !== 'object') await fx.dispose();
  }
}

/** Rows whose largest score is at `label`. */
function hits(scores: Matrix, label: number): number {
  let k = 0;
  for (let i = 0; i < scores.rows; i++) {
    const row = scores.data.subarray(i * scores.cols, (i + 1) * scores.cols);
    let best = 0;
    for (let j = 1; j < row.length; j++) if (row[j]! > row[best]!) best = j;
    if (best === label) k++;
  }
  return k;
}
