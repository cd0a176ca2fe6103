import { Command } from 'commander';

export function assetsCommand(): Command {
  return new Command('assets').description('(not yet implemented)');
}
