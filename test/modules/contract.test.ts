/** The contract every stage module must keep: checked for each manifest found in modules/. */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { discoverModules, modulesDir, validateManifests } from '../../server/modules/loader';
import { coreKinds } from '../../server/progression/kinds';
import type { RequirementKind, StageRow } from '../../server/progression/types';

const manifests = discoverModules();
const folders = readdirSync(modulesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(path.join(modulesDir, d.name, 'index.ts')))
  .map((d) => d.name)
  .sort();
const allKinds = new Map<string, RequirementKind>(Object.entries(coreKinds));
for (const m of manifests) for (const [name, kind] of Object.entries(m.requirementKinds ?? {})) allKinds.set(name, kind);

const stage: StageRow = {
  id: '00000000-0000-4000-8000-000000000001',
  cohortId: '00000000-0000-4000-8000-000000000002',
  position: 1,
  moduleKey: 'x',
  title: 'Stage',
  config: {},
  openRequirements: [],
  completeRequirements: [],
  startsOn: null,
  endsOn: null,
};

describe('stage-module contract', () => {
  it('finds one manifest per module folder and the loader accepts them all', () => {
    expect(manifests.map((m) => m.key)).toEqual(folders);
    expect(() => validateManifests(manifests)).not.toThrow();
  });

  describe.each(manifests.map((m) => [m.key, m] as const))('%s', (key, m) => {
    it('has key = folder name, a title and a one-sentence summary', () => {
      expect(folders).toContain(key);
      expect(m.title.trim()).not.toBe('');
      expect(m.summary).toMatch(/^[A-Z].+\.$/);
    });

    it('prefixes every capability with its key', () => {
      for (const cap of Object.keys(m.capabilities)) expect(cap.startsWith(`${key}:`)).toBe(true);
    });

    it('has a views folder that exists', () => {
      expect(m.views).toBeDefined();
      expect(existsSync(m.views as string)).toBe(true);
    });

    it('prefixes its requirement kinds, each with a zod params schema and a describe() sentence', () => {
      for (const [name, kind] of Object.entries(m.requirementKinds ?? {})) {
        expect(name.startsWith(`${key}:`)).toBe(true);
        expect(typeof kind.params.safeParse).toBe('function');
        expect(typeof kind.evaluate).toBe('function');
        const samples = [...m.defaults.open, ...m.defaults.complete].filter((s) => s.kind === name).map((s) => s.params);
        const fromEmpty = kind.params.safeParse({});
        if (fromEmpty.success) samples.push({});
        expect(samples.length).toBeGreaterThan(0);
        for (const sample of samples) {
          const described = kind.describe(kind.params.parse(sample), stage);
          expect(described).toMatch(/^[A-Z]\S*( \S+)+/);
        }
      }
    });

    it('defaults name only known kinds, with parameters those kinds accept', () => {
      for (const spec of [...m.defaults.open, ...m.defaults.complete]) {
        const kind = allKinds.get(spec.kind);
        expect({ kind: spec.kind, known: !!kind }).toEqual({ kind: spec.kind, known: true });
        const parsed = kind!.params.safeParse(spec.params);
        expect({ kind: spec.kind, issues: parsed.success ? [] : parsed.error.issues }).toEqual({ kind: spec.kind, issues: [] });
      }
    });
  });
});
