/**
 * A service's Serverless `package:` settings — `patterns` (globs, `!` excludes, in order), legacy
 * `include`/`exclude`, `individually`, `artifact`, `excludeDevDependencies` — and each function's
 * (`functions.<key>.package`). The manifest loader does not parse them, so they are read from the
 * manifest file as written (variables inside them are not resolved: a warning says so).
 */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { CFN_TAGS } from '../config/cloudformation.ts';
import type { ProjectManifest } from '../config/manifest.ts';

export interface PackageSettings {
  readonly patterns?: readonly string[] | undefined;
  readonly include?: readonly string[] | undefined;
  readonly exclude?: readonly string[] | undefined;
  readonly individually?: boolean | undefined;
  /** A prebuilt zip or jar (relative to the service folder), uploaded as it is. */
  readonly artifact?: string | undefined;
  /** Service only: leave out node_modules packages only devDependencies need (default true). */
  readonly excludeDevDependencies?: boolean | undefined;
}

export interface ServicePackaging {
  readonly service: PackageSettings;
  /** By function key. */
  readonly functions: ReadonlyMap<string, PackageSettings>;
  /** `useDotenv: true`: Serverless then leaves `.env*` files out of packages. */
  readonly useDotenv: boolean;
  readonly problems: string[];
  readonly warnings: string[];
}

type Raw = Record<string, unknown>;
const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

function settings(raw: unknown, where: string, problems: string[], warnings: string[]): PackageSettings {
  if (raw === undefined || raw === null) return {};
  if (!isRecord(raw)) {
    problems.push(`${where}: package must be a map (patterns, individually, artifact, …)`);
    return {};
  }
  const list = (key: string): string[] | undefined => {
    const v = raw[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
      problems.push(`${where}.package.${key} must be a list of globs`);
      return undefined;
    }
    return v as string[];
  };
  const bool = (key: string): boolean | undefined => {
    const v = raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') problems.push(`${where}.package.${key} must be true or false`);
    return typeof v === 'boolean' ? v : undefined;
  };
  let artifact: string | undefined;
  if (raw.artifact !== undefined && raw.artifact !== null) {
    if (typeof raw.artifact !== 'string' || raw.artifact === '')
      problems.push(`${where}.package.artifact must be a file path`);
    else if (/^(s3|https?):\/\//i.test(raw.artifact))
      problems.push(
        `${where}.package.artifact ${raw.artifact}: only a local file can be uploaded (download it first)`,
      );
    else artifact = raw.artifact;
  }
  const out: PackageSettings = {
    patterns: list('patterns'),
    include: list('include'),
    exclude: list('exclude'),
    individually: bool('individually'),
    artifact,
    excludeDevDependencies: bool('excludeDevDependencies'),
  };
  if (JSON.stringify(out).includes('${'))
    warnings.push(
      `${where}.package: variables (\${…}) in package settings are not resolved; they are used as written`,
    );
  return out;
}

/** The packaging settings of a manifest's service and functions (none for an inferred project). */
export async function readPackaging(manifest: ProjectManifest): Promise<ServicePackaging> {
  const problems: string[] = [];
  const warnings: string[] = [];
  let raw: Raw = {};
  // The manifest may one day carry them itself; until then, the file as written.
  const given = (manifest as { package?: unknown }).package;
  if (manifest.file && manifest.source !== 'inferred') {
    try {
      const doc = parseDocument(await readFile(manifest.file, 'utf8'), { customTags: CFN_TAGS });
      const js = doc.toJS() as unknown;
      if (isRecord(js)) raw = js;
    } catch {
      // The manifest loader has read this file already; what it accepted is all that matters.
    }
  }
  const service = settings(given ?? raw.package, 'package', problems, warnings);
  const functions = new Map<string, PackageSettings>();
  const fns = isRecord(raw.functions) ? raw.functions : {};
  for (const f of manifest.functions) {
    const def = fns[f.key];
    if (isRecord(def) && def.package !== undefined)
      functions.set(f.key, settings(def.package, `functions.${f.key}`, problems, warnings));
  }
  return { service, functions, useDotenv: raw.useDotenv === true, problems, warnings };
}
