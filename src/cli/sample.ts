import { Command } from 'commander';

export function sampleCommand(): Command {
  return new Command('sample').description('(not yet implemented)');
}
