import { CronExpressionParser } from "cron-parser";

/** The latest time `schedule` fired at or before `now` (epoch ms), or undefined. */
export function lastFire(schedule: string, now: number): number | undefined {
  try {
    return CronExpressionParser.parse(schedule, { tz: "UTC", currentDate: new Date(now + 1) }).prev().getTime();
  } catch {
    return undefined;
  }
}

/** The next time `schedule` fires after `now` (epoch ms). */
export function nextFire(schedule: string, now: number): number {
  return CronExpressionParser.parse(schedule, { tz: "UTC", currentDate: new Date(now) }).next().getTime();
}

/** Whether a re-read is due: the schedule fired since the last full read began (or there never was one). */
export function rereadDue(schedule: string | undefined, lastFullReadAt: number | undefined, now: number): boolean {
  if (!schedule) return false;
  const fired = lastFire(schedule, now);
  return fired !== undefined && (lastFullReadAt === undefined || fired > lastFullReadAt);
}
