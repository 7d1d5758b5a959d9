import { CronExpressionParser } from "cron-parser";
import { Duration } from "luxon";
import { z } from "zod";
import { ConfigError, describeZodIssue } from "../errors.js";
import { STREAM_BY_NAME, STREAMS } from "../streams/table.js";
import type { StreamDef } from "../streams/types.js";

export const DEFAULT_INTERVAL = "PT5M";
/** Full-refresh-only streams have no change feed: discover proposes a daily re-read, as Estuary's Stripe capture does. */
export const DEFAULT_FULL_REFRESH_SCHEDULE = "0 0 * * *";

/**
 * A binding's resource config: the stream, how often to poll it for changes, and
 * when to read it again in full. Unknown fields are rejected (Estuary's own
 * resource configs forbid them too: estuary-cdk `BaseResourceConfig`, extra="forbid");
 * `_meta`, which Estuary's control plane may add, is accepted.
 */
export const ResourceConfigSchema = z.strictObject({
  name: z.enum(STREAMS.map((s) => s.name) as [string, ...string[]]).meta({
    title: "Stream",
    description: "The Stripe stream this binding captures.",
  }),
  interval: z
    .string()
    .default(DEFAULT_INTERVAL)
    .meta({
      title: "Polling interval",
      description: "How often the binding asks Stripe for changes, as an ISO-8601 duration (PT5M is five minutes).",
      format: "duration",
    }),
  schedule: z
    .string()
    .default("")
    .meta({
      title: "Re-read schedule",
      description:
        "A cron expression in UTC (minute hour day-of-month month day-of-week) at which the binding is read again in full from the list, e.g. 0 0 * * * for daily at midnight. Empty for never. Full-refresh-only streams are read only at these times.",
    }),
  _meta: z.looseObject({}).nullable().optional(),
});

const Binding = z.looseObject({ resourceConfig: z.unknown(), stateKey: z.string().optional() });
const CaptureSpec = z.looseObject({ config: z.unknown(), bindings: z.array(Binding).default([]) });

/** Every request the runtime sends; a field holding its default value may be absent (pbjson omits defaults). */
export const RequestSchema = z.looseObject({
  spec: z.looseObject({}).optional(),
  discover: z.looseObject({ config: z.unknown() }).optional(),
  validate: z.looseObject({ config: z.unknown(), bindings: z.array(Binding).default([]) }).optional(),
  apply: z.looseObject({ capture: CaptureSpec }).optional(),
  open: z.looseObject({ capture: CaptureSpec, state: z.unknown().optional() }).optional(),
  acknowledge: z.looseObject({ checkpoints: z.number().optional() }).optional(),
});
export type FlowRequest = z.output<typeof RequestSchema>;

export interface ParsedBinding {
  def: StreamDef;
  intervalSeconds: number;
  stateKey: string;
  /** Cron expression (UTC), or undefined for never. */
  schedule?: string;
}

/** Parses a binding's resource config; errors name the binding. */
export function parseBinding(raw: z.output<typeof Binding>, index: number): ParsedBinding {
  const name = (raw.resourceConfig as { name?: unknown } | null)?.name;
  if (typeof name === "string" && !STREAM_BY_NAME.has(name)) {
    throw new ConfigError(`Binding ${index}: "${name}" is not a stream of this connector (discover lists them).`);
  }
  const result = ResourceConfigSchema.safeParse(raw.resourceConfig);
  if (!result.success) throw new ConfigError(`Binding ${index}: resourceConfig.${describeZodIssue(result.error)}`);
  const { interval, schedule } = result.data;
  const duration = Duration.fromISO(interval);
  if (!duration.isValid || duration.as("seconds") <= 0) {
    throw new ConfigError(`Binding ${index} (${result.data.name}): interval "${interval}" is not an ISO-8601 duration like PT5M.`);
  }
  if (schedule !== "" && !isCron(schedule)) {
    throw new ConfigError(`Binding ${index} (${result.data.name}): schedule "${schedule}" is not a five-field cron expression like 0 0 * * *.`);
  }
  return {
    def: STREAM_BY_NAME.get(result.data.name)!,
    intervalSeconds: duration.as("seconds"),
    stateKey: raw.stateKey ?? result.data.name,
    ...(schedule ? { schedule } : {}),
  };
}

function isCron(expression: string): boolean {
  if (expression.trim().split(/\s+/).length !== 5) return false;
  try {
    CronExpressionParser.parse(expression, { tz: "UTC" });
    return true;
  } catch {
    return false;
  }
}
