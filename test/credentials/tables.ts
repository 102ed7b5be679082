/** The tables the certificate tests write directly (setup only). */
export { certificates, cohortStages, cohorts, programmeTemplates } from '../../server/db/tables';
export { remedialWorkshopChecklist as remedialWorkshopChecklistTable } from '../../modules/remedial-workshop/schema';
export type { Db } from '../../server/db';
