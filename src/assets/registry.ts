/**
 * Every file genbench knows how to find or fetch, keyed by its path relative to an asset root
 * (GENBENCH_HOME or a GENBENCH_ASSETS folder; `../shared` is laid out the same way).
 */
export interface AssetSpec {
  /** Path relative to an asset root, e.g. 'datasets/mnist/t10k-images-idx3-ubyte.gz'. */
  readonly id: string;
  /** Official download URLs, tried in order; empty when the file can only be provided by hand. */
  readonly urls: readonly string[];
  /** sha256 of the file as served by the official source (hex). */
  readonly sha256?: string;
  /**
   * sha256 of the decompressed payload, for .gz files: a re-compressed copy with the same content is accepted
   * (the shared MNIST test files are re-gzipped, so their file hash differs from the official one).
   */
  readonly contentSha256?: string;
  /** Expected size in bytes of the served file (catches truncation before hashing), when known. */
  readonly bytes?: number;
  /** Licence and provenance, shown by `genbench assets list`. */
  readonly about: string;
  /** How a user provides the file when it cannot be downloaded. */
  readonly howToProvide?: string;
}

const MNIST_MIRRORS = ['https://storage.googleapis.com/cvdf-datasets/mnist/', 'https://ossci-datasets.s3.amazonaws.com/mnist/'];
const MNIST_ABOUT = 'MNIST (LeCun, Cortes, Burges), CC BY-SA 3.0';

function mnist(file: string, sha256: string, bytes: number, contentSha256?: string): AssetSpec {
  return {
    id: `datasets/mnist/${file}`,
    urls: MNIST_MIRRORS.map((m) => m + file),
    sha256,
    bytes,
    ...(contentSha256 === undefined ? {} : { contentSha256 }),
    about: MNIST_ABOUT,
  };
}

export const ASSETS: readonly AssetSpec[] = [
  mnist('train-images-idx3-ubyte.gz', '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609', 9912422),
  mnist('train-labels-idx1-ubyte.gz', '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c', 28881),
  mnist(
    't10k-images-idx3-ubyte.gz',
    '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
    1648877,
    '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
  ),
  mnist(
    't10k-labels-idx1-ubyte.gz',
    'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
    4542,
    'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
  ),
  {
    id: 'datasets/pneumoniamnist/pneumoniamnist_balanced.npz',
    urls: [],
    sha256: 'f36c2b3e34de9d60c5c734118bc6daff281eaf76b67a57d26ad958da948274b0',
    about:
      'PneumoniaMNIST (MedMNIST v2, Yang et al. 2023), CC BY 4.0; class-balanced subset (train 2428, val 270, test 468) made for genbench',
    howToProvide: "put pneumoniamnist_balanced.npz in <root>/datasets/pneumoniamnist/ (genbench's shared assets hold it)",
  },
];
