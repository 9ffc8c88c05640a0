import type { BenchSuite } from '../run.js';

export const suite: BenchSuite = {
  name: 'placeholder',
  async run() {
    console.log('the foundation benchmarks replace this suite');
  },
};
