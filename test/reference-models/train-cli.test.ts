import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'genbench-train-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('genbench train: flags', () => {
  it.each([
    [['--model', 'dcgan', '--dataset', 'polygons', '--epochs', '0'], /--epochs: must be >= 1/],
    [['--model', 'dcgan', '--dataset', 'polygons', '--epochs', '1', '--minutes', '2'], /give --epochs or --minutes, not both/],
    [['--model', 'dcgan', '--dataset', 'polygons', '--batch', 'x'], /--batch: expected an integer/],
    [['--model', 'dcgan', '--dataset', 'polygons', '--minutes', '-1'], /--minutes: expected a positive number/],
    [['--model', 'gan', '--dataset', 'polygons'], /unknown reference model 'gan' \(valid: dcgan, cdcgan, vae, classifier, pix2pix, fcn-mse, cyclegan, segmenter, dann\)/],
    [['--model', 'pix2pix', '--dataset', 'polygons'], /--model pix2pix is a translator: give --task/],
    [['--model', 'dcgan', '--task', 'pneumonia-denoise'], /--model dcgan trains on a dataset: give --dataset, not --task/],
    [['--model', 'pix2pix', '--task', 'pneumonia-normal-to-pneumonia'], /task 'pneumonia-normal-to-pneumonia' is unpaired; use --model cyclegan/],
    [['--model', 'pix2pix', '--task', 'no-such-task'], /unknown translation task 'no-such-task'/],
    [['--model', 'pix2pix', '--task', 'pneumonia-sr2', '--dataset', 'mnist'], /give --dataset \(generators, classifiers\) or --task \(translators\), one of them/],
    [['--model', 'pix2pix', '--task', 'pneumonia-sr2', '--steps', '0'], /--steps: must be >= 1/],
    [['--model', 'dann', '--dataset', 'mnist'], /--model dann needs --target \(the unlabelled target domain, e\.g\. uci-digits\)/],
    [['--model', 'dcgan', '--dataset', 'polygons', '--no-adversarial'], /--target, --target-split and --no-adversarial are for --model dann, not dcgan/],
    [['--model', 'dcgan', '--dataset', 'polygons', '--backend', 'tpu'], /unknown backend 'tpu'/],
  ])('%j exits 2 with one line', async (args, message) => {
    const r = await runCli(['train', ...args, '--out', join(root, 'bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(existsSync(join(root, 'bad', 'genbench.json'))).toBe(false);
  });
});

describe('genbench train: Ctrl-C', () => {
  it('exits 130 after the current step and keeps the last checkpoint', async () => {
    const out = join(root, 'sigint');
    const args = ['train', '--model', 'vae', '--dataset', 'polygons', '--split', 'test[:32]', '--heldout', 'none', '--batch', '16', '--epochs', '1000', '--backend', 'wasm', '--out', out];
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const poll = setInterval(() => {
        if (existsSync(join(out, 'genbench.json'))) {
          clearInterval(poll);
          child.kill('SIGINT');
        }
      }, 50);
      child.on('close', (c) => {
        clearInterval(poll);
        resolve(c);
      });
    });
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted; stopping after this step and keeping the last complete checkpoint/);
    const r = await runCli(['sample', '--generator', out, '--n', '4', '--backend', 'wasm', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ model: 'vae-polygons', n: 4, range: '[0,1]' });
  });
});
