/**
 * Every asset genbench knows how to find or fetch, keyed by its path relative to an asset root
 * (GENBENCH_HOME or a GENBENCH_ASSETS folder; both are laid out the same way).
 *
 * Adding an asset is one entry here; lookup, verification and download read only these fields.
 */
export interface AssetSpec {
  /** Path relative to an asset root, e.g. 'datasets/mnist/t10k-images-idx3-ubyte.gz' (folders: no trailing '/'). */
  readonly id: string;
  /**
   * 'file' (default) or 'folder'. A folder asset is a TF.js model folder: `model.json` plus the weight shards its
   * weightsManifest lists; its urls point at model.json and the shards are fetched relative to it.
   */
  readonly kind?: 'file' | 'folder';
  /** Official download URLs (mirrors), tried in order; empty when the asset can only be provided by hand. */
  readonly urls: readonly string[];
  /** sha256 of the file as served by the official source (hex). */
  readonly sha256?: string;
  /**
   * sha256 of the decompressed payload, for .gz files: a re-compressed copy with the same content is accepted
   * (the shared MNIST test files are re-gzipped, so their file hash differs from the official one).
   */
  readonly contentSha256?: string;
  /**
   * md5 of the file (hex), used only when `sha256` is unknown. Some publishers give nothing stronger: MedMNIST's
   * INFO lists md5 sums only, and the full files were never fetched here to compute a sha256. md5 still catches
   * truncation and corruption (not deliberate tampering); replace it by `sha256` once the file has been hashed.
   */
  readonly md5?: string;
  /**
   * Folder assets: sha256 over the lines `<sha256>  <relative name>\n` of model.json and of every file its
   * weightsManifest references, the lines sorted bytewise. Reproduce it in a shell with
   * `sha256sum model.json <shards...> | LC_ALL=C sort | sha256sum`.
   */
  readonly treeSha256?: string;
  /** Expected size in bytes of the served file (catches truncation before hashing), when known. */
  readonly bytes?: number;
  /** Licence and provenance, shown by `genbench assets list`. */
  readonly about: string;
  /** How a user provides the asset when it cannot be downloaded (`<root>` stands for an asset root). */
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

const FASHION_MNIST_URL = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';
const FASHION_MNIST_ABOUT = 'Fashion-MNIST (Zalando Research, Xiao et al. 2017), MIT';

/**
 * A Fashion-MNIST file, checked by the sha256 of its gunzipped content only: the official .gz and re-compressed
 * copies (e.g. Debian's dataset-fashion-mnist) hold the same IDX bytes but differ as files.
 */
function fashionMnist(file: string, contentSha256: string): AssetSpec {
  return { id: `datasets/fashion-mnist/${file}`, urls: [FASHION_MNIST_URL + file], contentSha256, about: FASHION_MNIST_ABOUT };
}

const TFJS_MODELS = 'https://storage.googleapis.com/tfjs-models/tfjs/';

function mobilenet(name: string, treeSha256: string, features: number): AssetSpec {
  return {
    id: `models/${name}`,
    kind: 'folder',
    urls: [`${TFJS_MODELS}${name}/model.json`],
    treeSha256,
    about: `MobileNet v1 (${name}), Google's published TF.js layers model, Apache-2.0; penultimate features [${features}]`,
  };
}

/** A Colin27 volume (NIfTI-1, 181x217x181 at 1 mm) as Debian's mricron-data ships it; provided by hand. */
function colin27(file: string, sha256: string, what: string): AssetSpec {
  return {
    id: `datasets/colin27/${file}`,
    urls: [],
    sha256,
    about: `Colin27 ${what} (MRIcron templates, Chris Rorden), BSD-3-Clause`,
    howToProvide: `put ${file} in <root>/datasets/colin27/ (Debian's mricron-data package ships it; genbench's shared assets hold it)`,
  };
}

export const ASSETS: readonly AssetSpec[] = Object.freeze([
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
  fashionMnist('train-images-idx3-ubyte.gz', 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888'),
  fashionMnist('train-labels-idx1-ubyte.gz', 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9'),
  fashionMnist('t10k-images-idx3-ubyte.gz', '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b'),
  fashionMnist('t10k-labels-idx1-ubyte.gz', '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34'),
  {
    id: 'datasets/pneumoniamnist/pneumoniamnist_balanced.npz',
    urls: [],
    sha256: 'f36c2b3e34de9d60c5c734118bc6daff281eaf76b67a57d26ad958da948274b0',
    about:
      'PneumoniaMNIST (MedMNIST v2, Yang et al. 2023), CC BY 4.0; class-balanced subset (train 2428, val 270, test 468) made for genbench',
    howToProvide: "put pneumoniamnist_balanced.npz in <root>/datasets/pneumoniamnist/ (genbench's shared assets hold it)",
  },
  {
    id: 'datasets/pneumoniamnist/pneumoniamnist.npz',
    urls: ['https://zenodo.org/records/10519652/files/pneumoniamnist.npz?download=1'],
    md5: '28209eda62fecd6e6a2d98b1501bb15f',
    about: 'PneumoniaMNIST (MedMNIST v2, Yang et al. 2023), CC BY 4.0; the official full 28x28 release (zenodo 10519652)',
  },
  colin27('ch2.nii.gz', 'a009051127f64dc3dd554d5f5b589870ea72106d9642c21b4e7093e478cfc309', 'T1-weighted MRI'),
  colin27('ch2bet.nii.gz', '592a2d20abdf36eefcb540ca8958428040edffc1bc1a18ba1dcfbabac77c5dd1', 'T1-weighted MRI, skull-stripped'),
  colin27('aal.nii.gz', 'b512dcd3f36b77f56be7a9a038134096e66314b7e8c31d25875b96bcf6991454', 'AAL anatomical parcellation (116 labels, 0 background)'),
  {
    id: 'datasets/uci-digits/digits.csv.gz',
    urls: [],
    sha256: '46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a',
    about: 'UCI optical recognition of handwritten digits, test set (1797 digits 8x8, values 0-16; Alpaydin & Kaynak 1998), CC BY 4.0, as scikit-learn ships it',
    howToProvide: "put digits.csv.gz in <root>/datasets/uci-digits/ (Debian's python3-sklearn ships it as sklearn/datasets/data/digits.csv.gz; genbench's shared assets hold it)",
  },
  mobilenet('mobilenet_v1_0.75_224', 'e921b050e0d0ce7e1ac8371a79f7bd00bdaacc31eb99f2c8243b9345049a3329', 768),
  mobilenet('mobilenet_v1_0.25_224', '05aab648facc3ead01b13ed649c20bafa0b086b0c13e5d7c4ddec53b0aee18f5', 256),
]);
