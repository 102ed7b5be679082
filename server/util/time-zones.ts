/** Organisations' time zones (IANA names): the default, the choices a settings page offers in plain names, the words
 * exports use in a header ("New York time"), and wall-clock time in a zone ⇄ the instant it names. */
import { dateFormat } from './dates';

/** Every organisation starts on UK time. */
export const DEFAULT_TIME_ZONE = 'Europe/London';

/** True when `zone` is an IANA time zone this server knows (the only ones an organisation may choose). */
export function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/.test(zone)) return false;
  try {
    dateFormat('en-GB', { timeZone: zone });
    return zones().has(zone) || zone === 'UTC';
  } catch {
    return false;
  }
}

let known: Set<string> | undefined;
const zones = () => (known ??= new Set(Intl.supportedValuesOf('timeZone')));

/** The place a zone is named after: 'America/New_York' → 'New York'; 'America/Argentina/Buenos_Aires' → 'Buenos Aires'. */
const placeOf = (zone: string) => (zone.split('/').at(-1) ?? zone).replace(/_/g, ' ');

/** The zone's everyday name: "Eastern Time", "United Kingdom Time". */
function genericName(zone: string): string {
  return dateFormat('en-GB', { timeZone: zone, timeZoneName: 'longGeneric' }).formatToParts(new Date(0)).find((p) => p.type === 'timeZoneName')?.value ?? zone;
}

/** How a select names a zone: "New York — Eastern Time"; London is "United Kingdom — London". */
export function timeZoneLabel(zone: string): string {
  if (zone === DEFAULT_TIME_ZONE) return 'United Kingdom — London';
  if (zone === 'UTC') return 'Coordinated Universal Time (UTC)';
  return `${placeOf(zone)} — ${genericName(zone)}`;
}

export type TimeZoneGroup = { region: string; zones: { zone: string; label: string }[] };
let groups: TimeZoneGroup[] | undefined;

/** Every zone grouped by region ("Europe", "America"…), each group by place name; made once. */
export function timeZoneChoices(): TimeZoneGroup[] {
  if (groups) return groups;
  const byRegion = new Map<string, { zone: string; label: string }[]>();
  for (const zone of zones()) {
    const region = zone.includes('/') ? zone.split('/')[0] : 'Other';
    const list = byRegion.get(region) ?? [];
    list.push({ zone, label: timeZoneLabel(zone) });
    byRegion.set(region, list);
  }
  groups = [...byRegion.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([region, list]) => ({ region, zones: list.sort((x, y) => x.label.localeCompare(y.label)) }));
  return groups;
}

/** How exports name the zone in a header or beside a time: "UK time", "New York time". */
export const timeZoneWords = (zone: string) => (zone === DEFAULT_TIME_ZONE ? 'UK time' : zone === 'UTC' ? 'UTC' : `${placeOf(zone)} time`);

/** The instant when the clock in `zone` shows `localTime` (`YYYY-MM-DDTHH:mm`, as a datetime-local field sends it). */
export function zonedToUtc(localTime: string, zone: string): Date {
  const naive = new Date(`${localTime}:00Z`).getTime();
  const offset = (instant: number) => {
    const p = Object.fromEntries(
      dateFormat('en-GB', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
        .formatToParts(new Date(instant))
        .map((x) => [x.type, x.value]),
    );
    return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute)) - Math.floor(instant / 60_000) * 60_000;
  };
  // Two rounds settle a guess made on the wrong side of a clock change.
  let guess = naive - offset(naive);
  guess = naive - offset(guess);
  return new Date(guess);
}

/** `YYYY-MM-DDTHH:mm` of an instant in `zone` (a datetime-local field's value). */
export function zonedLocalTime(v: Date, zone: string): string {
  const p = Object.fromEntries(
    dateFormat('en-GB', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(v)
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}
