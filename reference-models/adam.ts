import * as tf from '@tensorflow/tfjs';

/**
 * Adam (Kingma & Ba 2015) over a fixed list of variables, written out so that its state is explicit and a resumed
 * run continues bit for bit: the bias corrections 1 - beta^t are computed from the step count t in float64 (tfjs's
 * AdamOptimizer keeps a running float32 product that `setWeights` recomputes with pow, which drifts in the last bits).
 * The update is PyTorch's: p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
 *
 * @example
 * const opt = new Adam(model.trainableWeights.map((w) => w.read() as tf.Variable), { lr: 2e-4, beta1: 0.5 });
 * const { grads } = tf.variableGrads(loss, opt.variables);
 * opt.apply(grads); // opt.t === 1
 */
export interface AdamConfig {
  readonly lr: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
}

export class Adam {
  readonly variables: tf.Variable[];
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Steps taken. */
  t = 0;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];

  constructor(variables: tf.Variable[], cfg: AdamConfig) {
    this.variables = variables;
    this.lr = cfg.lr;
    this.beta1 = cfg.beta1 ?? 0.9;
    this.beta2 = cfg.beta2 ?? 0.999;
    this.eps = cfg.eps ?? 1e-8;
    this.m = variables.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
    this.v = variables.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
  }

  /** One update from gradients keyed by variable name (tf.variableGrads output); the gradients are disposed. */
  apply(grads: tf.NamedTensorMap): void {
    this.t += 1;
    const stepSize = this.lr / (1 - this.beta1 ** this.t);
    const vScale = 1 / Math.sqrt(1 - this.beta2 ** this.t);
    tf.tidy(() => {
      this.variables.forEach((x, i) => {
        const g = grads[x.name];
        if (g === undefined) return;
        const m = tf.add(tf.mul(this.m[i]!, this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(this.v[i]!, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        this.m[i]!.assign(m);
        this.v[i]!.assign(v);
        const denom = tf.add(tf.mul(tf.sqrt(v), vScale), this.eps);
        x.assign(tf.sub(x, tf.mul(tf.div(m, denom), stepSize)));
      });
    });
    tf.dispose(Object.values(grads));
  }

  /** The moments, first m then v, in variable order (the live variables: read, do not dispose). */
  stateTensors(): tf.Tensor[] {
    return [...this.m, ...this.v];
  }

  /** Restores the moments (same order as stateTensors) and the step count. */
  loadState(t: number, tensors: readonly tf.Tensor[]): void {
    const all = [...this.m, ...this.v];
    if (tensors.length !== all.length) throw new Error(`Adam state has ${tensors.length} tensors, expected ${all.length}`);
    all.forEach((x, i) => x.assign(tensors[i]!));
    this.t = t;
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
  }
}
