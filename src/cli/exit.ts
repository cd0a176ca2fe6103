/**
 * Ending the process after a failed command: stdout and stderr are flushed, then `process.exit(code)`, so nothing
 * the command left open (an onnxruntime session, a progress-bar timer, a worker thread, a socket) can keep it alive
 * after its error line. With GENBENCH_DEBUG=1 it first names what was still open (`process.getActiveResourcesInfo`),
 * the place to look when a command hangs after its error.
 *
 * @example
 * await exitPromptly(2); // never returns
 */
export async function exitPromptly(code: number): Promise<never> {
  if (process.env['GENBENCH_DEBUG']) {
    const open = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap');
    if (open.length > 0) process.stderr.write(`genbench: still open at exit: ${open.join(', ')}\n`);
  }
  await Promise.all([flush(process.stdout), flush(process.stderr)]);
  process.exit(code);
}

function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) return resolve();
    stream.write('', () => resolve());
  });
}
