/** A programme's certificate settings (admins, on the programme's page): how many months its certificates stay valid,
 * and — for a refresher — which programme's certificate its final sign-off renews. */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { audit } from '../audit';
import type { Db } from '../db';
import { programmeTemplates } from '../db/tables';
import { ValidationError } from '../errors';

/** The form: months 1–60 (default 12); `refresherOf` empty for a full programme. */
export const certificateSettingsForm = z.object({
  certificateMonths: z.coerce.number({ message: 'must be a whole number of months' }).int('must be a whole number of months').min(1, 'must be at least 1 month').max(60, 'must be at most 60 months').default(12).meta({ label: 'validity in months' }),
  refresherOf: z.union([z.literal(''), z.uuid({ message: 'choose a programme from the list' })]).default('').meta({ label: 'programme it renews' }),
});

/** Saves the settings (audited); a programme cannot renew itself. */
export async function saveCertificateSettings(db: Db, actorId: string, template: { id: string; certificateMonths: number; refresherOf: string | null }, input: z.output<typeof certificateSettingsForm>): Promise<void> {
  const refresherOf = input.refresherOf || null;
  if (refresherOf === template.id) throw new ValidationError('A programme cannot be a refresher of itself.', [{ field: 'refresherOf', message: 'choose another programme, or none' }]);
  if (refresherOf && !(await db.select({ id: programmeTemplates.id }).from(programmeTemplates).where(eq(programmeTemplates.id, refresherOf))).length) {
    throw new ValidationError('That programme does not exist.', [{ field: 'refresherOf', message: 'choose a programme from the list' }]);
  }
  await db.transaction(async (tx) => {
    await tx.update(programmeTemplates).set({ certificateMonths: input.certificateMonths, refresherOf, updatedAt: new Date() }).where(eq(programmeTemplates.id, template.id));
    await audit(tx, { actorId, action: 'programme.certificate-settings', subjectType: 'programme_template', subjectId: template.id, before: { certificateMonths: template.certificateMonths, refresherOf: template.refresherOf }, after: { certificateMonths: input.certificateMonths, refresherOf } });
  });
}
