/**
 * Load generation with autocannon, summarised as req/s and latency p50/p99. Every measurement is
 * preceded by a warm-up (JIT, connection pools, caches) whose figures are discarded: `warmupS`
 * seconds and at least WARMUP_REQUESTS requests, so slow endpoints get as many optimizing
 * passes as fast ones.
 *
 * BENCH_DURATION (seconds, default 10) and BENCH_CONNECTIONS (default 50) tune every suite.
 */
import autocannon from 'autocannon';
import { cpuTimeMs } from './process.js';

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections?: number;
  durationS?: number;
  warmupS?: number;
  /** The server's process id: adds its CPU time per request to the result. */
  pid?: number;
}

export interface LoadResult {
  title: string;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  non2xx: number;
  /** Server CPU (user + system) per request, µs; null without a pid. */
  cpuUsPerRequest: number | null;
}

export const DEFAULT_DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
export const DEFAULT_CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const WARMUP_REQUESTS = 5_000;

async function run(
  options: LoadOptions,
  limit: { durationS: number } | { amount: number },
): Promise<autocannon.Result> {
  return autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    connections: options.connections ?? DEFAULT_CONNECTIONS,
    ...('amount' in limit ? { amount: limit.amount } : { duration: limit.durationS }),
  });
}

export async function measure(title: string, options: LoadOptions): Promise<LoadResult> {
  const warmup = await run(options, { durationS: options.warmupS ?? 3 });
  if (warmup.requests.total < WARMUP_REQUESTS)
    await run(options, { amount: WARMUP_REQUESTS - warmup.requests.total });
  const cpuBefore = options.pid ? cpuTimeMs(options.pid) : null;
  const result = await run(options, { durationS: options.durationS ?? DEFAULT_DURATION_S });
  const cpuAfter = options.pid ? cpuTimeMs(options.pid) : null;
  const cpuUsPerRequest =
    cpuBefore !== null && cpuAfter !== null && result.requests.total > 0
      ? ((cpuAfter - cpuBefore) * 1000) / result.requests.total
      : null;
  return {
    title,
    reqPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    cpuUsPerRequest,
  };
}

function pad(value: string, width: number, left = false): string {
  return left ? value.padEnd(width) : value.padStart(width);
}

/** Prints results as a table; a failed request in any row is called out below it. */
export function printResults(results: LoadResult[]): void {
  const titleWidth = Math.max(...results.map((r) => r.title.length), 10);
  console.log(
    `  ${pad('', titleWidth, true)}  ${pad('req/s', 9)}  ${pad('p50 ms', 7)}  ${pad('p99 ms', 7)}  ${pad('requests', 9)}  ${pad('CPU µs/req', 10)}`,
  );
  for (const r of results) {
    console.log(
      `  ${pad(r.title, titleWidth, true)}  ${pad(Math.round(r.reqPerSec).toLocaleString('en-US'), 9)}  ${pad(r.p50Ms.toFixed(1), 7)}  ${pad(r.p99Ms.toFixed(1), 7)}  ${pad(r.requests.toLocaleString('en-US'), 9)}  ${pad(r.cpuUsPerRequest === null ? '-' : Math.round(r.cpuUsPerRequest).toString(), 10)}`,
    );
  }
  for (const r of results) {
    if (r.errors || r.non2xx) {
      console.log(`  ! ${r.title}: ${r.errors} errors/timeouts, ${r.non2xx} non-2xx responses`);
    }
  }
}

export function ratio(measured: LoadResult, baseline: LoadResult): number {
  return measured.reqPerSec / baseline.reqPerSec;
}

/** Baseline CPU per request over measured CPU per request: the throughput ratio on idle cores. */
export function cpuRatio(measured: LoadResult, baseline: LoadResult): number | null {
  if (!measured.cpuUsPerRequest || !baseline.cpuUsPerRequest) return null;
  return baseline.cpuUsPerRequest / measured.cpuUsPerRequest;
}
