/** zod schemas for rubrics and assessments (JSON bodies and form bodies alike). */
import { z } from 'zod';
import { id, text } from '../http/validate';

/** A new rubric: ordered levels (lowest first), criteria with one descriptor per level, a pass threshold. */
export const rubricInput = z
  .object({
    key: z.string().trim().regex(/^[a-z0-9-]{2,80}$/, 'must be 2–80 lower-case letters, digits or dashes').optional(),
    name: text(200).meta({ missing: 'Give the rubric a name' }),
    description: z.string().trim().max(2000).optional(),
    passThreshold: z.coerce.number({ message: 'must be a number' }).min(0, 'must be 0 or more').max(100, 'must be 100 or less'),
    levels: z.array(z.object({ label: text(100), points: z.coerce.number().int('must be a whole number').min(0).max(100) })).min(2, 'needs at least 2 levels').max(8),
    criteria: z
      .array(
        z.object({
          title: text(200),
          description: z.string().trim().max(2000).optional(),
          weight: z.coerce.number({ message: 'must be a number' }).positive('must be more than 0').max(1000),
          mustPass: z.coerce.boolean().default(false),
          passLevel: z.coerce.number().int().min(0),
          descriptors: z.array(z.string().trim().max(1000)),
        }),
      )
      .min(1, 'needs at least 1 criterion')
      .max(30),
  })
  .superRefine((v, ctx) => {
    v.criteria.forEach((c, i) => {
      if (c.passLevel >= v.levels.length) ctx.addIssue({ code: 'custom', path: ['criteria', i, 'passLevel'], message: `must be one of the ${v.levels.length} levels` });
      if (c.descriptors.length !== v.levels.length) ctx.addIssue({ code: 'custom', path: ['criteria', i, 'descriptors'], message: `needs one descriptor for each of the ${v.levels.length} levels` });
    });
    if (!v.levels.some((l) => l.points > 0)) ctx.addIssue({ code: 'custom', path: ['levels'], message: 'at least one level must be worth points' });
  });

/** A rubric as accepted. */
export type RubricInput = z.output<typeof rubricInput>;

/** An assessment of a candidate against a rubric in a context. */
export const assessmentInput = z.object({
  kind: z.enum(['mentor', 'shadow', 'self']).optional(),
  contextType: z.enum(['stage', 'session', 'module'], { message: 'must be stage, session or module' }),
  contextId: text(80),
  cohortStageId: id.optional(),
  comment: z.string().trim().max(4000).optional(),
  levels: z.record(z.string(), z.coerce.number().int('must be a level').min(0)),
  comments: z.record(z.string(), z.string().trim().max(2000)).optional(),
});

/** An assessment as accepted. */
export type AssessmentInput = z.output<typeof assessmentInput>;
