import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './wait.js';

export const pipewatchBin = join(process.cwd(), 'bin', 'pipewatch.js');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `pipewatch ARGS` to completion with the given extra environment. */
export function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [pipewatchBin, ...args], {
      env: { ...cleanEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pipewatch ${args.join(' ')} did not finish in ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The environment without PIPEWATCH_* variables of the outer shell. */
export function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('PIPEWATCH_')) env[k] = v;
  }
  return env;
}

/** Starts a long-running `pipewatch ARGS`, collecting its output. */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}) {
  const child: ChildProcess = spawn(process.execPath, [pipewatchBin, ...args], {
    env: { ...cleanEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (d: Buffer) => (output.stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output.stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  /** Resolves with the first JSON log line whose msg matches. */
  const waitForLog = async (msg: string, timeoutMs = 60_000): Promise<Record<string, unknown>> => {
    const logged = () => {
      for (const line of output.stdout.split('\n')) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (entry.msg === msg) return entry;
      }
      if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}) first`);
      return undefined;
    };
    try {
      return await waitFor(logged, { what: `log line "${msg}"`, timeoutMs, intervalMs: 100 });
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(
        `no log line "${msg}" (${why}); stdout:\n${output.stdout}\nstderr:\n${output.stderr}`,
      );
    }
  };
  return { child, output, exited, waitForLog };
}
