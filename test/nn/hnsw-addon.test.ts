import { describe, expect, it } from 'vitest';
import { cpuIsaFlags, hnswAddon, missingFlags } from '../../src/nn/hnsw-addon.js';

const cpuinfo = (flags: string) => `processor\t: 0\nmodel name\t: test\nflags\t\t: ${flags}\n\nprocessor\t: 1\nflags\t\t: ${flags}\n`;

describe('hnswlib addon choice', () => {
  it('reads the instruction-set flags of /proc/cpuinfo and ignores the others', () => {
    expect(cpuIsaFlags(cpuinfo('fpu sse4_2 avx avx2 hypervisor avx512f constant_tsc'))).toEqual(['sse4_2', 'avx', 'avx2', 'avx512f']);
    expect(cpuIsaFlags('no flags here')).toEqual([]);
  });

  it('a native build needs every instruction-set flag of the CPU it was built on, not its other flags', () => {
    const builtOn = ['fpu', 'hypervisor', 'avx2', 'avx512f', 'avx512bw'];
    expect(missingFlags(builtOn, ['avx2', 'avx512f', 'avx512bw', 'sse4_2'])).toEqual([]);
    expect(missingFlags(builtOn, ['avx2'])).toEqual(['avx512f', 'avx512bw']);
  });

  it('falls back to the portable addon on an older CPU, when forced, or without a native build', () => {
    const older = hnswAddon({}, cpuinfo('sse4_2 avx'));
    const here = hnswAddon({});
    expect(hnswAddon({ GENBENCH_NATIVE_HNSW: '0' })).toMatchObject({ native: false, reason: 'GENBENCH_NATIVE_HNSW=0' });
    if (here.native) {
      expect(here.path).toMatch(/genbench-native\.node$/);
      expect(older).toMatchObject({ native: false, reason: expect.stringMatching(/^this CPU lacks .*which the native build uses$/) });
    } else {
      expect(older.native).toBe(false);
      expect(here.path).toMatch(/hnswlib-node/);
    }
    expect(older.path).toMatch(/hnswlib-node[/\\]lib[/\\]index\.js$/);
  });
});
