import { Command } from 'commander';

export function datasetsCommand(): Command {
  return new Command('datasets').description('(not yet implemented)');
}
