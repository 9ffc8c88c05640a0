/**
 * Child processes for benchmarks: servers run in their own process (never in the one generating
 * load, which would compete for the event loop), are awaited until an HTTP probe answers 200, and
 * are stopped with SIGTERM sent to their whole process group (pnpm does not forward signals to
 * the scripts it runs).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function groupGone(pgid: number, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (groupAlive(pgid)) {
    if (performance.now() > deadline) {
      process.kill(-pgid, 'SIGKILL');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * CPU time (user + system) a process and its reaped children have used so far, in ms, from
 * /proc (Linux). Per-request CPU is the figure that survives a busy machine: throughput drops
 * when other work shares the cores, CPU per request barely moves.
 */
export function cpuTimeMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** USER_HZ: 100 on every mainstream Linux build. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface Spawned {
  child: ChildProcess;
  /** Milliseconds from spawn until the probe answered 200. */
  readyMs: number;
  /** The end of what the process wrote, for error messages. */
  output(): string;
  /** SIGTERM to the process group; resolves with the exit code once it has exited. */
  stop(): Promise<number | null>;
}

export interface SpawnOptions {
  command: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** URL polled until it answers 200. */
  probe: string;
  timeoutMs?: number;
}

export async function spawnUntilReady(options: SpawnOptions): Promise<Spawned> {
  const startedAt = performance.now();
  const child = spawn(options.command, options.args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  // The last 64 KiB of what the process wrote, for error messages (a server logging every
  // request under load writes far more).
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-65_536);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });

  const stop = async () => {
    const pgid = child.pid;
    if (pgid) {
      try {
        process.kill(-pgid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
    const code = await exited;
    // The group leader (pnpm, say) may exit before the server it ran has finished stopping.
    if (pgid) await groupGone(pgid);
    return code;
  };

  const deadline = startedAt + (options.timeoutMs ?? 120_000);
  for (;;) {
    if (exitCode !== undefined)
      throw new Error(`process exited (${exitCode}) before it was ready:\n${output}`);
    const ok = await fetch(options.probe).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ok) break;
    if (performance.now() > deadline) {
      await stop();
      throw new Error(`not ready after ${options.timeoutMs ?? 120_000} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return { child, readyMs: performance.now() - startedAt, output: () => output, stop };
}
