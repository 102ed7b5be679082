/** Matrix rows for the trainer register (17.4): an organisation's register and CSV (its leads and the provider's
 * admins), the provider's whole register (admins), and a trainer's record (the trainer, the organisation's leads,
 * admins). */
import { newCertificateCode } from '../../../server/credentials/code';
import { and, eq, isNotNull } from 'drizzle-orm';
import { cpdEntries, certificates, trainerRecordChanges, trainerRecords } from '../../../server/db/tables';
import { ensureTrainerRecord } from '../../../server/register/records';
import { londonDate } from '../../../server/progression/kinds/answers';
import { buildUser } from '../../support/factories';
import { PNG } from '../../signoffs/support';
import type { AuthzRows, RoleExpectations, RowContext } from '../support';

const leads: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 404, candidate: 403 };
const otherOrg: RoleExpectations = { admin: 'allow', lead: 404, mentor: 404, candidate: 404 };
const adminOnly: RoleExpectations = { admin: 'allow', lead: 403, mentor: 403, candidate: 403 };
const everyone: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 'allow', candidate: 'allow' };
// The tenant's candidate is the trainer; the mentor (of the provider) is outside the organisation's world.
const recordViewers: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 404, candidate: 'allow' };
const org = (c: RowContext) => ({ organisationId: c.tenant.org.id });

/** The tenant's candidate on their organisation's register: a certificate written directly (the matrix tests access). */
export function trainerOnRegister(c: RowContext) {
  return c.memo('register-trainer', async () => {
    const now = new Date();
    await c.db.insert(certificates).values({ code: newCertificateCode(), holderId: c.tenant.candidate.id, organisationId: c.tenant.org.id, cohortId: c.tenant.cohort.id, programmeName: 'Matrix programme', signedBy: c.tenant.mentor.id, issuedAt: now, validFrom: now, expiresAt: new Date(now.getTime() + 365 * 86_400_000) });
    return { organisationId: c.tenant.org.id, userId: c.tenant.candidate.id };
  });
}

/** A fresh trainer on the tenant's register for each call (the change routes alter their record); `suspended` makes
 * their record suspended already (for reinstating). Neither the lead's nor the candidate's own record. */
async function freshTrainer(c: RowContext, suspended = false) {
  const person = await buildUser(c.db, { organisationId: c.tenant.org.id, role: 'candidate' });
  const now = new Date();
  await c.db.insert(certificates).values({ code: newCertificateCode(), holderId: person.id, organisationId: c.tenant.org.id, cohortId: c.tenant.cohort.id, programmeName: 'Matrix programme', signedBy: c.tenant.mentor.id, issuedAt: now, validFrom: now, expiresAt: new Date(now.getTime() + 365 * 86_400_000) });
  if (suspended) await c.db.insert(trainerRecords).values({ userId: person.id, organisationId: c.tenant.org.id, suspendedAt: now, suspensionReason: 'Matrix suspension' });
  return { organisationId: c.tenant.org.id, userId: person.id };
}
// Admins change level and suspension; the lead sees the record but may not; others do not see it.
const managers: RoleExpectations = { admin: 'allow', lead: 403, mentor: 404, candidate: 404 };
const reason = () => ({ reason: 'A reason given in the matrix test' });

// The trainer keeps their own CPD log; the lead and admins only read it.
const keeper: RoleExpectations = { admin: 403, lead: 403, mentor: 404, candidate: 'allow' };
const otherKeeper: RoleExpectations = { admin: 403, lead: 404, mentor: 404, candidate: 404 };
const yesterday = () => londonDate(new Date(Date.now() - 86_400_000));
const cpdBody = (c: RowContext) => ({ doneOn: yesterday(), hours: '1.5', activity: `Matrix CPD ${c.uniq()}`, reflection: 'What I learned from it.' });

/** A fresh CPD entry on the tenant candidate's record for each call (edited or deleted by the row). */
async function freshEntry(c: RowContext) {
  const trainer = await trainerOnRegister(c);
  const record = await ensureTrainerRecord(c.db, trainer.userId, trainer.organisationId);
  const [entry] = await c.db.insert(cpdEntries).values({ trainerRecordId: record.id, doneOn: yesterday(), hours: 1, activity: `Matrix entry ${c.uniq()}`, reflection: 'Written for the matrix.' }).returning();
  return { ...trainer, entryId: entry.id };
}

/** A CPD entry with an evidence file, added through HTTP by the tenant's candidate (once per scope). */
function entryWithFile(c: RowContext) {
  return c.memo('register-cpd-file', async () => {
    const trainer = await trainerOnRegister(c);
    const agent = await c.app.loginAs(c.tenant.candidate.email);
    const page = `/organisations/${trainer.organisationId}/trainers/${trainer.userId}`;
    const token = await c.app.csrf(agent, page);
    const res = await agent.post(`${page}/cpd`).set('x-csrf-token', token).field('doneOn', yesterday()).field('hours', '2').field('activity', 'Matrix course with evidence').field('reflection', 'Kept the attendance sheet.').attach('files', PNG, { filename: 'attendance.png', contentType: 'image/png' });
    if (res.status !== 303) throw new Error(`CPD entry not added: ${res.status}`);
    const record = await ensureTrainerRecord(c.db, trainer.userId, trainer.organisationId);
    const [entry] = await c.db.select().from(cpdEntries).where(and(eq(cpdEntries.trainerRecordId, record.id), isNotNull(cpdEntries.fileId)));
    return { ...trainer, entryId: entry.id };
  });
}

/** A renewed first aid certificate with its evidence file, recorded through HTTP by the tenant's candidate (once per
 * scope): the history row that holds the file. */
function renewalWithFile(c: RowContext) {
  return c.memo('register-first-aid-file', async () => {
    const trainer = await trainerOnRegister(c);
    const agent = await c.app.loginAs(c.tenant.candidate.email);
    const page = `/organisations/${trainer.organisationId}/trainers/${trainer.userId}`;
    const token = await c.app.csrf(agent, page);
    const res = await agent.post(`${page}/first-aid`).set('x-csrf-token', token).field('expiresOn', londonDate(new Date(Date.now() + 200 * 86_400_000))).attach('files', PNG, { filename: 'ils.png', contentType: 'image/png' });
    if (res.status !== 303) throw new Error(`first aid not renewed: ${res.status}`);
    const record = await ensureTrainerRecord(c.db, trainer.userId, trainer.organisationId);
    const [change] = await c.db.select().from(trainerRecordChanges).where(and(eq(trainerRecordChanges.trainerRecordId, record.id), isNotNull(trainerRecordChanges.fileId)));
    return { ...trainer, changeId: change.id };
  });
}

/** Rows keyed by "METHOD /path" exactly as registered. */
export const rows: AuthzRows = {
  'GET /organisations/:organisationId/register': { params: org, own: leads, other: otherOrg },
  'GET /organisations/:organisationId/register/register.csv': { params: org, own: leads, other: otherOrg },
  'GET /register': { own: adminOnly, other: 'same' },
  'GET /register/register.csv': { own: adminOnly, other: 'same' },
  'GET /organisations/:organisationId/trainers/:userId': { params: trainerOnRegister, own: recordViewers, other: otherOrg },
  'GET /trainers/mine': { own: everyone, other: 'same' },
  'POST /organisations/:organisationId/trainers/:userId/promote': { params: (c) => freshTrainer(c), body: reason, own: managers, other: otherOrg },
  'POST /organisations/:organisationId/trainers/:userId/suspend': { params: (c) => freshTrainer(c), body: reason, own: managers, other: otherOrg },
  'POST /organisations/:organisationId/trainers/:userId/cpd': { params: trainerOnRegister, body: cpdBody, own: keeper, other: otherKeeper },
  'GET /organisations/:organisationId/trainers/:userId/cpd/:entryId/edit': { params: freshEntry, own: keeper, other: otherKeeper },
  'POST /organisations/:organisationId/trainers/:userId/cpd/:entryId': { params: freshEntry, body: cpdBody, own: keeper, other: otherKeeper },
  'POST /organisations/:organisationId/trainers/:userId/cpd/:entryId/delete': { params: freshEntry, own: keeper, other: otherKeeper },
  'GET /organisations/:organisationId/trainers/:userId/cpd/:entryId/file': { params: entryWithFile, own: recordViewers, other: otherOrg },
  'POST /organisations/:organisationId/trainers/:userId/first-aid': { params: trainerOnRegister, body: () => ({ expiresOn: londonDate(new Date(Date.now() + 100 * 86_400_000)), document: 'Certificate seen by my manager' }), own: keeper, other: otherKeeper },
  'GET /organisations/:organisationId/trainers/:userId/changes/:changeId/file': { params: renewalWithFile, own: recordViewers, other: otherOrg },
  'POST /organisations/:organisationId/trainers/:userId/reinstate': { params: (c) => freshTrainer(c, true), body: reason, own: managers, other: otherOrg },
};
