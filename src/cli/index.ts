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
import { memorizationCommand } from './memorization.js';
import { serveCommand } from './serve.js';
import { adminCommand } from './admin.js';
import { submitCommand } from './submit.js';
import { nnCommand } from './nn.js';
import { gateCommand } from './gate.js';
import { workerCommand } from './worker.js';
import { demoCommand } from './demo.js';
import { featuresCommand } from './features.js';
import { statsCommand } from './stats.js';

/**
 * Registry of CLI commands: one file per command, one line here.
 * Each entry makes a fresh commander Command, so tests can build the program many times.
 */
export const COMMANDS: ReadonlyMap<string, () => Command> = Object.freeze(
  new Map<string, () => Command>([
    ['datasets', datasetsCommand],
    ['sample', sampleCommand],
    ['backend', backendCommand],
    ['assets', assetsCommand],
    ['metrics', metricsCommand],
    ['features', featuresCommand],
    ['stats', statsCommand],
    ['pixel', pixelCommand],
    ['train', trainCommand],
    ['evaluate', evaluateCommand],
    ['sanity', sanityCommand],
    ['memorization', memorizationCommand],
    ['serve', serveCommand],
    ['admin', adminCommand],
    ['submit', submitCommand],
    ['nn', nnCommand],
    ['gate', gateCommand],
    ['worker', workerCommand],
    ['demo', demoCommand],
  ]),
);
