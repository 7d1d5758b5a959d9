import { z } from "zod";
import { connectionSpecification, DOCUMENTATION_URL, parseConfig } from "../config.js";
import { ConfigError } from "../errors.js";
import { STREAMS } from "../streams/table.js";
import { DEFAULT_FULL_REFRESH_SCHEDULE, DEFAULT_INTERVAL, parseBinding, ResourceConfigSchema, type FlowRequest } from "./requests.js";
import { documentKey, documentSchema } from "./schema.js";

/** The Flow capture protocol's version this connector speaks. */
export const FLOW_PROTOCOL = 3032023;

export function specResponse(): object {
  return {
    spec: {
      protocol: FLOW_PROTOCOL,
      configSchema: connectionSpecification(),
      resourceConfigSchema: z.toJSONSchema(ResourceConfigSchema, { io: "input", target: "draft-2020-12" }),
      documentationUrl: DOCUMENTATION_URL,
      resourcePathPointers: ["/name"],
    },
  };
}

/**
 * One binding per stream. `resourcePath` is not sent: the control plane derives it
 * from `resourcePathPointers` (estuary/flow crates/agent/src/discovers/specs.rs).
 */
export function discoverResponse(request: NonNullable<FlowRequest["discover"]>): object {
  parseConfig(request.config);
  return {
    discovered: {
      bindings: [...STREAMS]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((def) => ({
          recommendedName: def.name,
          resourceConfig: { name: def.name, interval: DEFAULT_INTERVAL, schedule: def.incremental === null ? DEFAULT_FULL_REFRESH_SCHEDULE : "" },
          documentSchema: documentSchema(def),
          key: documentKey(def),
        })),
    },
  };
}

export function validateResponse(request: NonNullable<FlowRequest["validate"]>): object {
  parseConfig(request.config);
  const seen = new Set<string>();
  const bindings = request.bindings.map((raw, i) => {
    const binding = parseBinding(raw, i);
    if (seen.has(binding.def.name)) throw new ConfigError(`Binding ${i}: stream ${binding.def.name} is captured twice.`);
    seen.add(binding.def.name);
    return { resourcePath: [binding.def.name] };
  });
  return { validated: { bindings } };
}

export function applyResponse(request: NonNullable<FlowRequest["apply"]>): object {
  parseConfig(request.capture.config);
  request.capture.bindings.forEach(parseBinding);
  return { applied: { actionDescription: "" } };
}
