import type { Command } from 'commander';
import { datasetsCommand } from './datasets.js';
import { sampleCommand } from './sample.js';
import { backendCommand } from './backend.js';
import { assetsCommand } from './assets.js';
import { metricsCommand } from './metrics.js';
import { pixelCommand } from './pixel.js';
import { trainCommand } from './train.js';
import { evaluateCommand } from './evaluate.js';
import { sanityCommand } from './sanity.js';

/**
 * Registry of CLI commands: one file per command, one line here (STYLE.md rule 2).
 * Each entry makes a fresh commander Command, so tests can build the program many times.
 */
export const COMMANDS: ReadonlyMap<string, () => Command> = Object.freeze(
  new Map<string, () => Command>([
    ['datasets', datasetsCommand],
    ['sample', sampleCommand],
    ['backend', backendCommand],
    ['assets', assetsCommand],
    ['metrics', metricsCommand],
    ['pixel', pixelCommand],
    ['train', trainCommand],
    ['evaluate', evaluateCommand],
    ['sanity', sanityCommand],
  ]),
);
