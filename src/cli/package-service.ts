/**
 * Packaging a service as `serverless deploy` does: one zip of the service folder for every
 * function, or one per function (`package.individually`, with the function's own patterns), or a
 * prebuilt zip/jar (`package.artifact`, service-wide or per function) uploaded as it is. Files are
 * chosen by Serverless' rules (src/registry/build/archive.ts: default excludes, the manifest file,
 * `exclude`, then `include` and `patterns` in order; node_modules packages only devDependencies
 * need are left out and never walked) and zipped streaming into temp files, which the deploy
 * uploads streaming too.
 */
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { ManifestFunction, ProjectManifest } from '../config/manifest.ts';
import {
  listProjectFiles,
  packagePatterns,
  patternsSkipDir,
  selectFiles,
  zipToFile,
} from '../registry/build/archive.ts';
import { CliErrors } from './errors.ts';
import { type PackageSettings, readPackaging } from './package-settings.ts';

/** The code one or more functions upload: a zip made here, or the project's prebuilt artifact. */
export interface CodeUpload {
  readonly file: string;
  /** `service`, `function <key>` or the artifact's path as the manifest gives it. */
  readonly label: string;
  readonly bytes: number;
  /** Files in a zip made here (undefined for a prebuilt artifact). */
  readonly files?: number | undefined;
}

export interface PackagedService {
  /** By deployed function name. */
  readonly byFunction: ReadonlyMap<string, CodeUpload>;
  readonly uploads: readonly CodeUpload[];
  /** Files the walk listed (before patterns), and the time packaging took. */
  readonly listed: number;
  readonly ms: number;
  readonly warnings: readonly string[];
  /** Removes the temp zips. */
  cleanup(): Promise<void>;
}

interface Unit {
  readonly label: string;
  readonly patterns: string[];
  readonly fns: ManifestFunction[];
}

const bad = (reason: string) => CliErrors.BAD_ARGUMENT({ reason, command: 'deploy' });

/** Packages `fns` of the manifest's service; throws before anything is written on bad settings. */
export async function packageService(
  manifest: ProjectManifest,
  fns: readonly ManifestFunction[],
): Promise<PackagedService> {
  const t0 = performance.now();
  const settings = await readPackaging(manifest);
  if (settings.problems.length > 0)
    throw bad(`${basename(manifest.file ?? manifest.dir)}: ${settings.problems.join('; ')}`);
  const warnings = [...settings.warnings];
  const svc = settings.service;
  const artifactUpload = (path: string, label: string): CodeUpload => {
    const file = resolve(manifest.dir, path);
    const st = statSync(file, { throwIfNoEntry: false });
    if (!st?.isFile()) throw bad(`${label}: cannot access package artifact ${path} (no such file)`);
    return { file, label: path, bytes: st.size };
  };

  // The manifest itself, and .env files when Serverless would read them, are never packaged.
  const exclude = [
    ...(manifest.file ? [basename(manifest.file)] : []),
    ...(settings.useDotenv ? ['.env*'] : []),
    ...(svc.exclude ?? []),
  ];
  const include = [...(svc.include ?? []), ...(svc.patterns ?? [])];
  const byFunction = new Map<string, CodeUpload>();
  const artifacts = new Map<string, CodeUpload>();
  const units: Unit[] = [];
  const shared: Unit = { label: 'service', patterns: packagePatterns({ exclude, include }), fns: [] };
  let warnedPatterns = false;
  for (const f of fns) {
    const own: PackageSettings = settings.functions.get(f.key) ?? {};
    const artifact = own.artifact ?? (own.individually ? undefined : svc.artifact);
    if (artifact !== undefined) {
      const where = own.artifact !== undefined ? `functions.${f.key}.package.artifact` : 'package.artifact';
      const up = artifacts.get(artifact) ?? artifactUpload(artifact, where);
      artifacts.set(artifact, up);
      byFunction.set(f.name, up);
    } else if (own.individually ?? svc.individually) {
      units.push({
        label: `function ${f.key}`,
        patterns: packagePatterns({
          exclude: [...exclude, ...(own.exclude ?? [])],
          include: [...include, ...(own.include ?? []), ...(own.patterns ?? [])],
        }),
        fns: [f],
      });
    } else {
      if ((own.patterns || own.include || own.exclude) && !warnedPatterns) {
        warnedPatterns = true;
        warnings.push(
          'package patterns of a function apply only when it is packaged individually (package.individually: true, service-wide or for the function); the service-wide ones are used',
        );
      }
      shared.fns.push(f);
    }
  }
  if (shared.fns.length > 0) units.unshift(shared);

  const tmp = await mkdtemp(join(tmpdir(), 'nimbus-package-'));
  const cleanup = () => rm(tmp, { recursive: true, force: true });
  try {
    let listed = 0;
    const uploads: CodeUpload[] = [...artifacts.values()];
    if (units.length > 0) {
      // One walk for every zip; a folder is skipped only when no zip can keep a file in it.
      const files = await listProjectFiles(manifest.dir, {
        excludeDevDependencies: svc.excludeDevDependencies !== false,
        skipDir: (rel) => units.every((u) => patternsSkipDir(u.patterns, rel)),
      });
      listed = files.length;
      for (const [i, u] of units.entries()) {
        const chosen = selectFiles(files, u.patterns);
        if (chosen.length === 0)
          throw bad(`${u.label}: no file matches the package include / exclude patterns`);
        const file = join(tmp, `${i}.zip`);
        const z = await zipToFile(manifest.dir, chosen, file);
        const up: CodeUpload = { file, label: u.label, bytes: z.bytes, files: z.files };
        uploads.push(up);
        for (const f of u.fns) byFunction.set(f.name, up);
      }
    }
    return { byFunction, uploads, listed, ms: performance.now() - t0, warnings, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
