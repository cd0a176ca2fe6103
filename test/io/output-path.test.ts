import { execFileSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/io/atomic.js';
import { checkOutputFolder, checkOutputPath } from '../../src/io/output-path.js';

describe('checkOutputPath and writeFileAtomic', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'genbench-outpath-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('accepts a new file (missing folders included) and an existing regular file, atomically', async () => {
    expect(await checkOutputPath(join(dir, 'a/b/new.json'), '--out')).toMatchObject({ mode: 'atomic', path: join(dir, 'a/b/new.json') });
    await writeFile(join(dir, 'old.json'), 'old');
    expect((await checkOutputPath(join(dir, 'old.json'), '--out')).mode).toBe('atomic');
    await writeFileAtomic(join(dir, 'a/b/new.json'), 'x');
    expect(await readFile(join(dir, 'a/b/new.json'), 'utf8')).toBe('x');
  });

  it('refuses a folder, a path below a file, /proc and /sys, naming the flag', async () => {
    await mkdir(join(dir, 'folder'));
    await writeFile(join(dir, 'file'), '');
    await expect(checkOutputPath(join(dir, 'folder'), '--grid')).rejects.toMatchObject({ code: 'USAGE', message: expect.stringMatching(/^--grid .*folder: is a folder/) });
    await expect(checkOutputPath(join(dir, 'file/x.png'), '--grid')).rejects.toThrow(/file is a file, not a folder/);
    await expect(checkOutputPath('/proc/self/genbench.json', '--out')).rejects.toThrow(/kernel filesystem/);
    await expect(checkOutputPath('/sys/genbench.json', '--out')).rejects.toThrow(/kernel filesystem/);
    await expect(checkOutputPath('', '--out')).rejects.toThrow(/empty path/);
    await expect(writeFileAtomic(join(dir, 'folder'), 'x')).rejects.toMatchObject({ code: 'INPUT' });
    expect(await readdir(join(dir, 'folder'))).toEqual([]);
  });

  it('follows a symbolic link: the target is replaced, the link stays (also a dangling one)', async () => {
    await writeFile(join(dir, 'target.txt'), 'old');
    await symlink('target.txt', join(dir, 'link.txt'));
    expect((await checkOutputPath(join(dir, 'link.txt'), '--out')).path).toBe(join(dir, 'target.txt'));
    await writeFileAtomic(join(dir, 'link.txt'), 'new');
    expect((await lstat(join(dir, 'link.txt'))).isSymbolicLink()).toBe(true);
    expect(await readFile(join(dir, 'target.txt'), 'utf8')).toBe('new');
    await symlink('later.txt', join(dir, 'dangling.txt'));
    await writeFileAtomic(join(dir, 'dangling.txt'), 'made');
    expect(await readFile(join(dir, 'later.txt'), 'utf8')).toBe('made');
    expect((await lstat(join(dir, 'dangling.txt'))).isSymbolicLink()).toBe(true);
  });

  it('refuses a symbolic link loop', async () => {
    await symlink('loop-b', join(dir, 'loop-a'));
    await symlink('loop-a', join(dir, 'loop-b'));
    await expect(checkOutputPath(join(dir, 'loop-a'), '--out')).rejects.toThrow(/symbolic links in a row/);
  });

  it('writes into a FIFO without renaming over it', async () => {
    const fifo = join(dir, 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    expect((await checkOutputPath(fifo, '--out')).mode).toBe('through');
    const read = readFile(fifo, 'utf8');
    await writeFileAtomic(fifo, 'through the pipe');
    expect(await read).toBe('through the pipe');
    expect((await lstat(fifo)).isFIFO()).toBe(true);
  });

  it('checkOutputFolder: a folder or a new name, never a file', async () => {
    expect(await checkOutputFolder(join(dir, 'runs/new'), '--out')).toBe(join(dir, 'runs/new'));
    await writeFile(join(dir, 'run-file'), '');
    await expect(checkOutputFolder(join(dir, 'run-file'), '--out')).rejects.toThrow(/is a file, not a folder/);
  });
});
