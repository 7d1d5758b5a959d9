import { Duration } from "luxon";
import { z } from "zod";
import { ConfigError } from "../errors.js";
import { STREAM_BY_NAME, STREAMS } from "../streams/table.js";
import type { StreamDef } from "../streams/types.js";

export const DEFAULT_INTERVAL = "PT5M";

/** A binding's resource config: the stream, and how often to poll it for changes. */
export const ResourceConfigSchema = z.looseObject({
  name: z.enum(STREAMS.map((s) => s.name) as [string, ...string[]]).meta({
    title: "Stream",
    description: "The Stripe stream this binding captures.",
  }),
  interval: z
    .string()
    .default(DEFAULT_INTERVAL)
    .meta({
      title: "Polling interval",
      description: "How often the binding asks Stripe's Events API for changes, as an ISO-8601 duration (PT5M is five minutes).",
      format: "duration",
    }),
});

const Binding = z.looseObject({ resourceConfig: z.unknown(), stateKey: z.string().optional() });

export const RequestSchema = z.looseObject({
  spec: z.looseObject({}).optional(),
  discover: z.looseObject({ config: z.unknown() }).optional(),
  validate: z.looseObject({ config: z.unknown(), bindings: z.array(Binding).default([]) }).optional(),
  apply: z.looseObject({ capture: z.looseObject({ config: z.unknown(), bindings: z.array(Binding).default([]) }) }).optional(),
  open: z
    .looseObject({
      capture: z.looseObject({ config: z.unknown(), bindings: z.array(Binding).default([]) }),
      state: z.unknown().optional(),
    })
    .optional(),
});
export type FlowRequest = z.output<typeof RequestSchema>;

export interface ParsedBinding {
  def: StreamDef;
  intervalSeconds: number;
  stateKey: string;
}

/** Parses a binding's resource config; errors name the binding. */
export function parseBinding(raw: z.output<typeof Binding>, index: number): ParsedBinding {
  const name = (raw.resourceConfig as { name?: unknown } | null)?.name;
  if (typeof name === "string" && !STREAM_BY_NAME.has(name)) {
    throw new ConfigError(`Binding ${index}: "${name}" is not a stream of this connector (discover lists them).`);
  }
  const result = ResourceConfigSchema.safeParse(raw.resourceConfig);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "resourceConfig";
    throw new ConfigError(`Binding ${index}: ${where}: ${issue?.message ?? "invalid"}`);
  }
  const duration = Duration.fromISO(result.data.interval);
  if (!duration.isValid || duration.as("seconds") <= 0) {
    throw new ConfigError(`Binding ${index} (${result.data.name}): interval "${result.data.interval}" is not an ISO-8601 duration like PT5M.`);
  }
  return {
    def: STREAM_BY_NAME.get(result.data.name)!,
    intervalSeconds: duration.as("seconds"),
    stateKey: raw.stateKey ?? result.data.name,
  };
}
