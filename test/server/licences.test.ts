import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildManifest } from '../../reference-models/run-outputs.js';
import { checkLicence, isSpdxLicence } from '../../src/server/licences.js';
import { checkUpload } from '../../src/server/upload.js';
import { DEFAULT_UPLOAD_LIMITS } from '../../src/server/upload-limits.js';

const tmp = mkdtempSync(join(tmpdir(), 'genbench-licence-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('SPDX licences', () => {
  it('accepts known ids, LicenseRef- and OR/AND expressions; refuses the rest with one line', () => {
    for (const ok of ['MIT', 'Apache-2.0', 'CC-BY-4.0', 'CC0-1.0', 'GPL-3.0-or-later', 'LicenseRef-acme-weights-1.0', 'MIT OR Apache-2.0', 'CC-BY-4.0 AND LicenseRef-x']) expect(isSpdxLicence(ok), ok).toBe(true);
    for (const bad of ['', 'mit', 'Apache 2.0', 'CC BY 4.0', 'GPL', 'LicenseRef-', 'LicenseRef-a b', 'MIT OR', 'MIT or Apache-2.0', 'weights: Apache-2.0, trained by genbench']) expect(isSpdxLicence(bad), bad).toBe(false);
    expect(() => checkLicence('mit', 'g.genbench.json')).toThrow("g.genbench.json: field 'license' is 'mit', not an SPDX licence id; did you mean 'MIT'?");
    expect(() => checkLicence('Apache 2.0', 'g.genbench.json', 'licence')).toThrow(/^g\.genbench\.json: field 'licence' is 'Apache 2\.0', not an SPDX licence id; use an SPDX id such as/);
    expect(() => checkLicence('x'.repeat(500), 'g.genbench.json')).toThrow(/is 'x{60}\.\.\.', not/);
  });

  it('checkUpload refuses a manifest whose licence is not an SPDX id, before anything is hashed', async () => {
    const onnx = join(tmp, '0.part');
    writeFileSync(onnx, 'not read');
    const sha = createHash('sha256').update('not read').digest('hex');
    const manifest = (license: unknown) => {
      const path = join(tmp, `${String(license).length}.json`);
      writeFileSync(path, JSON.stringify({ name: 'g', format: 'onnx', file: 'g.onnx', input: 'z', latent_dim: 4, output: 'x', output_layout: 'NCHW', output_range: '[-1,1]', image_shape: [1, 28, 28], dataset: 'mnist', sha256: sha, license }));
      return [{ name: 'g.onnx', path: onnx }, { name: 'g.genbench.json', path }];
    };
    await expect(checkUpload(manifest('Creative Commons'), { limits: DEFAULT_UPLOAD_LIMITS })).rejects.toThrow(/^g\.genbench\.json: field 'license' is 'Creative Commons', not an SPDX licence id/);
    expect((await checkUpload(manifest('CC-BY-4.0'), { limits: DEFAULT_UPLOAD_LIMITS })).manifest.license).toBe('CC-BY-4.0');
  });

  it('the manifests genbench train writes carry an SPDX licence', () => {
    const net = { manifest: { input: 'z', latent_dim: 4, output: 'x', output_range: '[-1,1]' } } as unknown as Parameters<typeof buildManifest>[1];
    const model = { role: 'generator', description: 'd' } as unknown as Parameters<typeof buildManifest>[0];
    const m = buildManifest(model, net, { model: 'dcgan', dataset: 'mnist', split: 'train', seed: 0, batch: 8, backend: 'cpu' } as Parameters<typeof buildManifest>[2], { imageShape: [28, 28, 1], license: 'CC-BY-SA-3.0', training: {} });
    expect(isSpdxLicence(String(m['license']))).toBe(true);
  });
});
