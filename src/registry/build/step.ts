/**
 * One build step (the esbuild worker, javac) as a child process with a wall-clock limit and a
 * memory budget. Everything the step needs is passed explicitly: argv (absolute tool path first),
 * the code root (its working directory, the only place it may write), stdin, and a clean
 * environment — nothing of the platform's own cwd or environment (credentials, NODE_OPTIONS, …)
 * reaches it. That contract is what lets this function later run the step inside the sandbox
 * (unprivileged uid, only the code root and the toolchain visible) without changing its callers.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { StepJail } from '../../core/ports.ts';
import { DeployErrors } from '../errors.ts';

export interface BuildStepOptions {
  /** Working directory of the step; the only directory it may write to. */
  readonly codeRoot: string;
  /** Wall-clock limit: the whole process group is SIGKILLed after it (DEPLOY_BUILD_TIMEOUT). */
  readonly timeoutMs: number;
  /**
   * Memory budget. The tool's own limit is in argv (node --max-old-space-size, javac -J-Xmx); the
   * step also gets it as NIMBUS_BUILD_MEMORY_MB for the processes it starts (esbuild's Go binary).
   */
  readonly memoryMb: number;
  readonly stdin?: string;
  /** Names the step in errors (`bundle`, `javac`); default: the tool's base name. */
  readonly name?: string;
  /**
   * Runs the step in the platform's sandbox (uid 65534, no network, cgroup), seeing only the code
   * root (read-write) and `readOnly` (the toolchain). Without it the step runs as a plain child.
   */
  readonly jail?: StepJail | undefined;
  /** Toolchain paths the jailed step may read (argv[0] is always visible). */
  readonly readOnly?: readonly string[];
}

export interface BuildStepResult {
  /** Exit code; 128 + signal number when the step was killed by a signal. */
  readonly code: number;
  readonly stdout: Buffer;
  /** The last 64 KB of stderr. */
  readonly stderr: string;
}

/** A step's deadline and memory budget. */
export interface StepLimits {
  readonly timeoutMs: number;
  readonly memoryMb: number;
}

/** The only environment a step sees. */
export const STEP_PATH = '/usr/local/bin:/usr/bin:/bin';
const MAX_STDOUT = 512 * 1024 * 1024;
const STDERR_TAIL = 64 * 1024;

export async function runBuildStep(argv: string[], opts: BuildStepOptions): Promise<BuildStepResult> {
  if (!argv[0]) throw new TypeError('runBuildStep: empty argv');
  if (!opts.jail) return runStep(argv[0], argv.slice(1), opts);
  const jail = opts.jail;
  // The step writes into the code root (javac's scratch), as the sandbox user.
  await jail.own(opts.codeRoot);
  const j = await jail.prepare(argv, {
    codeRoot: opts.codeRoot,
    readOnly: opts.readOnly ?? [],
    memoryMb: opts.memoryMb,
    env: { NIMBUS_BUILD_MEMORY_MB: String(opts.memoryMb) },
  });
  try {
    return await runStep(j.cmd, j.args, { ...opts, name: opts.name ?? argv[0].split('/').pop() });
  } finally {
    await j.release();
  }
}

function runStep(cmd: string, args: string[], opts: BuildStepOptions): Promise<BuildStepResult> {
  const name = opts.name ?? cmd.split('/').pop() ?? 'build';
  return new Promise<BuildStepResult>((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.codeRoot,
      env: {
        PATH: STEP_PATH,
        HOME: '/tmp',
        LANG: 'C.UTF-8',
        NIMBUS_BUILD_MEMORY_MB: String(opts.memoryMb),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group, so the deadline kills the tools it started too (esbuild's binary).
      detached: true,
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let failure: Error | undefined;
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      failure ??= DeployErrors.BUILD_TIMEOUT({
        step: name,
        seconds: Math.round(opts.timeoutMs / 100) / 10,
      });
      killGroup();
    }, opts.timeoutMs);
    child.stdout.on('data', (b: Buffer) => {
      outBytes += b.length;
      if (outBytes > MAX_STDOUT) {
        failure ??= DeployErrors.BUILD_CRASHED({
          step: name,
          reason: `more than ${MAX_STDOUT} bytes of output`,
        });
        killGroup();
        return;
      }
      out.push(b);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      err = (err + s).slice(-STDERR_TAIL);
    });
    // A step that exits without reading its input must not crash the platform with EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin ?? '');
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(DeployErrors.BUILD_CRASHED({ step: name, reason: e.message }, { cause: e }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (failure) {
        reject(failure);
        return;
      }
      resolve({
        code: code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0),
        stdout: Buffer.concat(out),
        stderr: err,
      });
    });
  });
}

const OOM =
  /JavaScript heap out of memory|fatal error: (runtime: )?out of memory|Fatal JavaScript out of memory|cannot allocate memory|OutOfMemoryError|out of resources/i;

/** The coded error for a step that did not answer: out of memory, or crashed. */
export function stepFailed(step: string, r: BuildStepResult, memoryMb: number): Error {
  if (OOM.test(r.stderr)) return DeployErrors.BUILD_OUT_OF_MEMORY({ step, limitMb: memoryMb });
  const last = r.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 400);
  return DeployErrors.BUILD_CRASHED(
    { step, reason: `exit code ${r.code}${last ? `: ${last}` : ''}` },
    { details: { stderr: r.stderr } },
  );
}
