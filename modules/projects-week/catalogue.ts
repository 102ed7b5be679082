/** The five standard knowledge modules of projects week, from the programme's design. */

/** A knowledge module as offered to a cohort. */
export type StandardModule = { title: string; summary: string };

/** The standard modules, in teaching order. */
export const STANDARD_MODULES: StandardModule[] = [
  {
    title: 'The legal basis for reasonable force',
    summary:
      'When force may lawfully be used and what “reasonable” means: section 3 of the Criminal Law Act 1967, sections 5 and 6 of the Mental Capacity Act 2005 (acting in a person’s best interests, and the limits on restraint), necessity and proportionality.',
  },
  {
    title: 'Duty of care and Section 7 of the Health and Safety at Work Act',
    summary:
      'Employees’ duty under section 7 of the Health and Safety at Work etc. Act 1974 to take reasonable care of themselves and others and to co-operate with their employer — and what that means for restrictive practice and reporting.',
  },
  {
    title: 'NICE NG10 and the Mental Health Act Code of Practice',
    summary:
      'NICE guideline NG10 on the short-term management of violence and aggression, and the Mental Health Act 1983 Code of Practice on restrictive interventions: prevention first, least restrictive option, debrief and review.',
  },
  {
    title: 'Risks of restraint: restraint-related death, prone and floor holds',
    summary:
      'How people die in restraint — positional and compression asphyxia, exhaustion, cardiac events — why prone and floor holds are so dangerous, the warning signs, and releasing immediately when they appear.',
  },
  {
    title: 'Restraint reduction and post-incident support',
    summary:
      'Restraint reduction plans and positive behaviour support; supporting the person, staff and witnesses after an incident; learning from every incident so it is less likely to happen again.',
  },
];
