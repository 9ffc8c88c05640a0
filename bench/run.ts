/** `pnpm bench`: prints figures; the benchmarks arrive with the foundation's bench work. */
console.log('no benchmarks yet');
