#!/usr/bin/env node
import { main } from './main.js';
import { exitPromptly } from './exit.js';

const code = await main(process.argv);
process.exitCode = code;
// A failed command exits now: whatever it left open (an inference session, a timer, a worker) must not keep the
// process alive after its error line. A successful one ends when its work does (`serve` keeps running).
if (code !== 0) await exitPromptly(code);
