/** The one rule for dated things a stage schedules (a day, a meeting, a session): they fall within the cohort's dates. */
import { ValidationError } from '../errors';
import { dateFormat } from '../util/dates';

const isoDay = (zone: string) => dateFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: zone });
const spoken = dateFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const say = (d: string) => spoken.format(new Date(`${d}T12:00:00Z`));

/** Refuses (400 naming `field`) a date before the cohort starts or after it ends; a cohort without dates takes any. An
 * instant's day is the one in the cohort's organisation's time zone (UK time when the row has none). */
export function assertWithinCohort(cohort: { name: string; startsOn: string | null; endsOn: string | null; timeZone?: string }, when: string | Date, field: string, what = 'This'): void {
  const day = typeof when === 'string' ? when.slice(0, 10) : isoDay(cohort.timeZone ?? 'Europe/London').format(when);
  if (cohort.startsOn && day < cohort.startsOn) {
    throw new ValidationError(`${what} is before ${cohort.name} starts on ${say(cohort.startsOn)}. Choose a date within the cohort.`, [{ field, message: `must be on or after ${say(cohort.startsOn)}` }]);
  }
  if (cohort.endsOn && day > cohort.endsOn) {
    throw new ValidationError(`${what} is after ${cohort.name} ends on ${say(cohort.endsOn)}. Choose a date within the cohort.`, [{ field, message: `must be on or before ${say(cohort.endsOn)}` }]);
  }
}
