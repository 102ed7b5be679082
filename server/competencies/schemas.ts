/** zod schemas for editing competency frameworks. */
import { z } from 'zod';
import { text } from '../http/validate';

const flag = z.union([z.boolean(), z.literal('on'), z.literal('true'), z.literal('false'), z.literal('')]).transform((v) => v === true || v === 'on' || v === 'true');

/** A competency as an admin enters it. */
export const competencyInput = z.object({
  areaId: z.uuid({ message: 'choose an area' }).optional(),
  code: z.string().trim().regex(/^[A-Za-z0-9.-]{1,40}$/, 'must be 1–40 letters, digits, dots or dashes (e.g. D7)'),
  name: text(200),
  description: z.string().trim().max(2000).optional().transform((s) => s || undefined),
  safetyCritical: flag.default(false),
});

/** An area. */
export const areaInput = z.object({ name: text(200), description: z.string().trim().max(2000).optional().transform((s) => s || undefined) });

/** Changes to a competency (code stays fixed: gates and ledger entries refer to it). */
export const competencyPatch = z.object({
  name: text(200).optional(),
  description: z.string().trim().max(2000).optional(),
  safetyCritical: flag.optional(),
});

/** A whole new framework with its rating scale, areas and competencies. */
export const frameworkInput = z
  .object({
    name: text(200),
    description: z.string().trim().max(2000).optional(),
    ratingScale: z.object({ levels: z.array(text(60)).min(2, 'needs at least 2 levels').max(8), competentFrom: z.number().int().min(0) }),
    areas: z.array(areaInput.extend({ competencies: z.array(competencyInput.omit({ areaId: true })).max(100) })).max(20).default([]),
  })
  .superRefine((v, ctx) => {
    if (v.ratingScale.competentFrom >= v.ratingScale.levels.length) ctx.addIssue({ code: 'custom', path: ['ratingScale', 'competentFrom'], message: 'must be one of the levels' });
    const codes = v.areas.flatMap((a) => a.competencies.map((c) => c.code));
    const dup = codes.find((c, i) => codes.indexOf(c) !== i);
    if (dup) ctx.addIssue({ code: 'custom', path: ['areas'], message: `the code ${dup} is used twice` });
  });
