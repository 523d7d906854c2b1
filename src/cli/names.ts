/**
 * Serverless CLI habits shared by the commands that work on a service: `--stage`, `--config`,
 * and short function names. Inside a service folder `nimbus invoke -f hello` means the function
 * with key `hello` in its serverless.yml, deployed as `<service>-<stage>-hello`, as
 * `serverless invoke -f hello` does; any other name is used as given.
 */
import type { Command } from 'commander';
import {
  deployedFunctionName,
  loadProjectManifest,
  manifestFile,
  type ProjectManifest,
} from '../config/manifest.ts';
import { CliErrors } from './errors.ts';

export interface ServiceOpts {
  stage?: string;
  config?: string;
}

/** `-s, --stage` and `-c, --config`, for commands that read the service in the current folder. */
export function withService(cmd: Command): Command {
  return cmd
    .option('-s, --stage <stage>', "the service's stage (default: provider.stage, else dev)")
    .option(
      '-c, --config <path>',
      'the service: its serverless.yml / nimbus.yml, or their folder (default: the current folder)',
    );
}

/**
 * The function a command means: a key of the service (the current folder's manifest, or
 * `--config`) becomes its deployed name for `--stage`; any other name is used as given.
 */
export async function functionName(name: string, o: ServiceOpts, command: string): Promise<string> {
  if (o.config !== undefined && !manifestFile(o.config)) {
    throw CliErrors.BAD_ARGUMENT({
      reason: `--config ${o.config}: no serverless.yml or nimbus.yml there`,
      command,
    });
  }
  return (await deployedFunctionName(o.config ?? '.', name, process.env, { stage: o.stage })) ?? name;
}

/**
 * The function named by the positional argument or `-f/--function` (Serverless' spelling);
 * exactly one of them, resolved with {@link functionName}.
 */
export async function functionArg(
  positional: string | undefined,
  o: ServiceOpts & { function?: string },
  command: string,
): Promise<string> {
  if (positional !== undefined && o.function !== undefined && positional !== o.function) {
    throw CliErrors.BAD_ARGUMENT({
      reason: `two functions given (${positional} and -f ${o.function}): name one`,
      command,
    });
  }
  const name = o.function ?? positional;
  if (name === undefined) {
    throw CliErrors.BAD_ARGUMENT({
      reason: `which function? nimbus ${command} <name>, or -f <name>`,
      command,
    });
  }
  return functionName(name, o, command);
}

/** The project a service command works on: `[dir]`, or `--config`, else the current folder. */
export async function serviceManifest(
  dir: string | undefined,
  o: ServiceOpts & { json?: boolean },
  command: string,
): Promise<ProjectManifest> {
  if (dir !== undefined && o.config !== undefined && dir !== o.config) {
    throw CliErrors.BAD_ARGUMENT({ reason: `both ${dir} and --config ${o.config}: give one`, command });
  }
  const manifest = await loadProjectManifest(dir ?? o.config ?? '.', process.env, { stage: o.stage });
  if (o.stage !== undefined && manifest.naming === 'short' && !o.json) {
    process.stderr.write(
      `warning: ${manifest.source === 'inferred' ? 'this inferred project' : manifest.source} names its functions without the stage (add \`naming: service\` to include it): --stage ${o.stage} only sets \${sls:stage}\n`,
    );
  }
  return manifest;
}
