/** Input schemas for organisations, cohorts, members and invitations (shared by pages and the API). */
import { z } from 'zod';
import { email, id, isoDate, text } from '../http/validate';

const role = z.enum(['admin', 'mentor', 'lead', 'candidate'], { message: 'must be one of admin, mentor, lead, candidate' });
const cohortRole = z.enum(['candidate', 'mentor', 'lead', 'observer'], { message: 'must be one of candidate, mentor, lead, observer' });

/** POST organisations. */
export const organisationInput = z.strictObject({
  name: text(200).meta({ label: "organisation's name", missing: 'Give the organisation a name' }),
  kind: z.enum(['provider', 'client'], { message: 'must be provider or client' }).default('client'),
  sector: text(200).optional(),
  staffCount: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(1_000_000).optional(),
});

/** POST cohorts. */
export const cohortInput = z.strictObject({
  organisationId: id,
  name: text(200).meta({ label: "cohort's name", missing: 'Give the cohort a name' }),
  programmeTemplateId: id.optional(),
  startsOn: isoDate.optional(),
  endsOn: isoDate.optional(),
  stalledAfterDays: z.coerce.number().int().min(1).max(365).optional(),
  leadMayObserveLive: z.boolean().optional(),
});

/** POST invitations. */
export const invitationInput = z.strictObject({
  email,
  name: text(200).meta({ label: "person's name", missing: "Enter the person's name" }),
  organisationId: id,
  role,
  cohortId: id.optional(),
});

/** POST cohort members. */
export const memberInput = z.strictObject({ userId: id, role: cohortRole });
