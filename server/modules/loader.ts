/** Discovers stage modules in `modules/*`, validates every manifest, then (and only then) mounts them. */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { ActivityHook, RequirementKind } from '../progression/types';
import { coreKinds } from '../progression/kinds';
import { evidenceKinds, type EvidenceKind } from '../evidence/kinds';
import type { Grantee } from '../auth/actor';
import type { AppRegistry } from './registry';
import type { CertificationsHook, CurriculumHook } from '../impact/programme';
import type { StageManifest } from './types';
import { ledgerProjections } from '../ledger/registry';
import { StageLoadError } from '../errors';

/** A manifest failed validation (the class lives in the error catalogue, `server/errors.ts`). */
export { StageLoadError };

const KEY = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const GRANTEES = new Set(['admin', 'lead', 'mentor', 'candidate', 'observer']);

/** The folder the built-in modules live in. */
export const modulesDir = path.resolve(__dirname, '../../modules');

/** Loads `index.ts` of each module folder (sorted by name) and returns the default-exported manifests. */
export function discoverModules(dir = modulesDir): StageManifest[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && (existsSync(path.join(dir, d.name, 'index.ts')) || existsSync(path.join(dir, d.name, 'index.js'))))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const loaded = require(path.join(dir, name)) as { default?: StageManifest };
      if (!loaded.default) throw new StageLoadError('CADRE_ERR_STAGE_NO_MANIFEST', `modules/${name}/index.ts has no default export (export default defineStage({...}))`);
      if (loaded.default.key !== name) {
        throw new StageLoadError('CADRE_ERR_STAGE_KEY_MISMATCH', `modules/${name} declares key '${loaded.default.key}'; the key must equal the folder name`);
      }
      return loaded.default;
    });
}

/** Checks every manifest against the rules; throws the first StageLoadError found. */
export function validateManifests(manifests: StageManifest[]): void {
  const keys = new Set<string>();
  for (const m of manifests) {
    if (!KEY.test(m.key)) throw new StageLoadError('CADRE_ERR_STAGE_BAD_KEY', `'${m.key}' is not a kebab-case key`);
    if (keys.has(m.key)) throw new StageLoadError('CADRE_ERR_STAGE_DUPLICATE_KEY', `two modules declare the key '${m.key}'`);
    keys.add(m.key);
    if (!m.title?.trim()) throw new StageLoadError('CADRE_ERR_STAGE_NO_TITLE', `module '${m.key}' has no title`);
    for (const [cap, grantees] of Object.entries(m.capabilities)) {
      if (!cap.startsWith(`${m.key}:`)) {
        throw new StageLoadError('CADRE_ERR_STAGE_CAPABILITY_PREFIX', `capability '${cap}' of module '${m.key}' must start with '${m.key}:'`);
      }
      const bad = grantees.filter((g) => !GRANTEES.has(g));
      if (bad.length) throw new StageLoadError('CADRE_ERR_STAGE_BAD_GRANTEE', `capability '${cap}' grants unknown role(s): ${bad.join(', ')}`);
    }
    for (const kind of Object.keys(m.requirementKinds ?? {})) {
      if (!kind.startsWith(`${m.key}:`)) {
        throw new StageLoadError('CADRE_ERR_STAGE_REQUIREMENT_PREFIX', `requirement kind '${kind}' of module '${m.key}' must start with '${m.key}:'`);
      }
    }
    for (const kind of Object.keys(m.evidenceKinds ?? {})) {
      if (!kind.startsWith(`${m.key}:`)) {
        throw new StageLoadError('CADRE_ERR_STAGE_EVIDENCE_PREFIX', `evidence kind '${kind}' of module '${m.key}' must start with '${m.key}:'`);
      }
    }
    const prefix = `${m.key.replace(/-/g, '_')}_`;
    for (const projection of m.ledger ?? []) {
      const bad = projection.subjectTypes.filter((t) => !t.startsWith(prefix));
      if (bad.length) throw new StageLoadError('CADRE_ERR_STAGE_LEDGER_PREFIX', `ledger checker '${projection.name}' of module '${m.key}' reads subject type(s) ${bad.join(', ')}; each must start with '${prefix}'`);
    }
    if (m.views && !existsSync(m.views)) throw new StageLoadError('CADRE_ERR_STAGE_VIEWS_MISSING', `module '${m.key}' names views folder ${m.views}, which does not exist`);
  }
  for (const m of manifests) {
    for (const dep of m.requires) {
      if (!keys.has(dep)) throw new StageLoadError('CADRE_ERR_STAGE_DEPENDENCY_MISSING', `module '${m.key}' requires '${dep}', which is not installed`);
    }
  }
}

/** Builds one app's registry from its (validated) manifests: core kinds first, then each module's. */
export function buildRegistry(manifests: StageManifest[]): AppRegistry {
  const capabilities = new Map<string, readonly Grantee[]>();
  const requirementKinds = new Map<string, RequirementKind>(Object.entries(coreKinds));
  const activity = new Map<string, ActivityHook>();
  const evidence: Record<string, EvidenceKind> = {};
  const curriculum = new Map<string, CurriculumHook>();
  const certifications = new Map<string, CertificationsHook>();
  const sorted = [...manifests].sort((a, b) => a.key.localeCompare(b.key));
  for (const m of sorted) {
    for (const [name, grantees] of Object.entries(m.capabilities)) capabilities.set(name, grantees);
    for (const [name, kind] of Object.entries(m.requirementKinds ?? {})) requirementKinds.set(name, kind);
    if (m.activity) activity.set(m.key, m.activity);
    Object.assign(evidence, m.evidenceKinds ?? {});
    if (m.curriculum) curriculum.set(m.key, m.curriculum);
    if (m.certifications) certifications.set(m.key, m.certifications);
  }
  return {
    modules: sorted.map((m) => ({ key: m.key, title: m.title, summary: m.summary, defaults: m.defaults })),
    capabilities,
    requirementKinds,
    activity,
    evidence: evidenceKinds(evidence),
    curriculum,
    certifications,
    projections: ledgerProjections(sorted),
    reports: sorted.flatMap((m) => (m.report ? [m.report] : [])),
  };
}
