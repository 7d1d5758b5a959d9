import type { Config } from "../config.js";
import type { Output } from "../output.js";
import { readOptionsFrom, type ReadOptions } from "../read/context.js";
import { runRead } from "../read/engine.js";
import { SETTLE_SECONDS, type Phase } from "../read/modes.js";
import type { Op } from "../read/sink.js";
import type { AirbyteBlob } from "../state/airbyte.js";
import { bindingStatePatch, encodeBindingState, type BindingProgress, type BindingState } from "../state/flow.js";
import type { StreamState } from "../state/types.js";
import type { AccountScope } from "../stripe/accounts.js";
import type { StripeClient } from "../stripe/client.js";
import { documentSink } from "./documents.js";
import type { FlowLog } from "./log.js";
import type { ParsedBinding } from "./requests.js";
import { nextFire, rereadDue } from "./schedule.js";

/** What every binding of one capture shares. */
export interface CaptureContext {
  client: StripeClient;
  config: Config;
  accounts: AccountScope[];
  output: Output;
  log: FlowLog;
  /** The capture stops starting work after this (epoch ms). */
  deadline: number;
  /** Set by the first binding that fails for good (a config error): every binding stops. */
  failure: { error?: Error };
}

/** How a stream changes, and so how a binding keeps it current. */
type Kind = "events" | "created" | "full";

/**
 * Event-driven streams (and children read through their parent's events) follow
 * the Events API beside their backfill; streams that only grow (created windows,
 * report intervals) read what is new every interval; the rest can only be re-read.
 */
function kindOf(def: ParsedBinding["def"]): Kind {
  if (def.incremental === null) return "full";
  if (def.incremental === "events" || def.incremental === "parent" || def.parent) return "events";
  return "created";
}

/**
 * One binding of a capture, kept current for as long as the capture runs:
 * - event-driven streams backfill from their list while, side by side, their
 *   Events API cursor is polled every interval (per account, from its own cursor);
 * - created-window streams read what was created since their cursor every interval;
 * - full-refresh-only streams are read once, then again only on their schedule.
 * A schedule re-reads any binding in full at its cron times (an event-driven
 * one keeps its events cursor). Every document is followed by the checkpoint
 * that covers it; the binding's state is shared by its backfill and its polls.
 */
export class BindingCapture {
  private states: Map<string, StreamState>;
  private progress: BindingProgress;
  private doc?: AirbyteBlob;
  private backfill?: Promise<void>;
  /** A full read (first backfill or scheduled re-read) has begun and not finished. */
  private fullReadActive: boolean;
  private readonly kind: Kind;
  private readonly options: ReadOptions;

  constructor(
    readonly binding: ParsedBinding,
    readonly index: number,
    readonly ctx: CaptureContext,
    saved: BindingState,
  ) {
    const entry = saved.read.streams.get(binding.def.name);
    this.states = new Map(ctx.accounts.flatMap((a) => {
      const s = entry?.accounts?.get(a.id) ?? (a.id === ctx.config.account_id ? entry?.flat : undefined);
      return s ? [[a.id, s] as const] : [];
    }));
    this.progress = saved.progress;
    this.kind = kindOf(binding.def);
    this.options = readOptionsFrom(ctx.config);
    this.fullReadActive = this.fullReadPending();
  }

  async run(): Promise<void> {
    if (this.kind === "events") await this.startEvents();
    if (rereadDue(this.binding.schedule, this.startedAtMs(), Date.now())) await this.beginFullRead();
    else if (this.kind !== "events" && this.progress.fullReadStartedAt === undefined) await this.beginFullRead(false);
    let fireAt = this.binding.schedule ? nextFire(this.binding.schedule, Date.now()) : Infinity;
    while (this.live()) {
      const started = Date.now();
      if (this.kind === "events") await this.read("events");
      else if ((this.kind === "created" || this.fullReadPending()) && (await this.read("all")) && this.fullReadActive) await this.finishFullRead();
      if (Date.now() >= fireAt) {
        await this.beginFullRead();
        fireAt = nextFire(this.binding.schedule!, Date.now());
      }
      const wakeAt = this.kind === "full" ? fireAt : Math.min(fireAt, started + this.binding.intervalSeconds * 1000);
      await this.sleepUntil(Math.min(wakeAt, this.ctx.deadline));
    }
    await this.backfill;
  }

  /** Accounts without an events cursor start one where their backfill begins, then backfill. */
  private async startEvents(): Promise<void> {
    const fresh = this.ctx.accounts.filter((a) => this.states.get(a.id)?.cursor === undefined);
    if (fresh.length) {
      const cursor = Math.floor(Date.now() / 1000) - SETTLE_SECONDS;
      for (const a of fresh) this.states.set(a.id, { cursor, list: { through: this.options.startDate - 1 } });
      if (this.progress.fullReadStartedAt === undefined) this.progress.fullReadStartedAt = Math.floor(Date.now() / 1000);
      this.fullReadActive = true;
      await this.checkpoint();
    }
    this.startBackfill();
  }

  /**
   * A full read begins: for event-driven streams, the list backfill again (the
   * events cursor stays); for the others, their state starts over.
   */
  private async beginFullRead(again = true): Promise<void> {
    if (again) this.ctx.log.write("info", `re-reading ${this.binding.def.name} in full, as its schedule says`, { binding: this.binding.def.name });
    this.progress.fullReadStartedAt = Math.floor(Date.now() / 1000);
    this.fullReadActive = true;
    if (this.kind === "events") {
      for (const [account, s] of this.states) this.states.set(account, { ...s, list: { through: this.options.startDate - 1 } });
    } else if (again) {
      this.states = new Map();
    }
    await this.checkpoint();
    if (this.kind === "events") this.startBackfill();
  }

  private startBackfill(): void {
    if (this.backfill || ![...this.states.values()].some((s) => s.list)) return;
    this.backfill = (async () => {
      while (this.live() && [...this.states.values()].some((s) => s.list)) {
        if (await this.read("backfill")) break;
        await this.sleepUntil(Date.now() + this.binding.intervalSeconds * 1000);
      }
      this.backfill = undefined;
    })();
  }

  /** One read of the binding in `phase`; whether it ended without a failure. */
  private async read(phase: Phase): Promise<boolean> {
    const { client, config, accounts } = this.ctx;
    const sink = documentSink(this, phase);
    const result = await runRead({
      client,
      accounts,
      primaryAccount: config.account_id,
      multiAccount: config.connected_accounts !== undefined,
      selections: [{ def: this.binding.def, incremental: this.kind !== "full" }],
      state: { streams: new Map([[this.binding.def.name, { flat: this.states.get(config.account_id) ?? {}, accounts: this.states }]]) },
      now: Math.floor(Date.now() / 1000),
      options: this.options,
      sink,
      phase,
    });
    const fatal = result.failed.find((e) => e.failureType === "config_error");
    if (fatal) this.ctx.failure.error ??= fatal;
    return result.failed.length === 0;
  }

  /** How list records of the current full read are reported: creations the first time, updates after. */
  listOp(): Op {
    return this.progress.fullReadsDone > 0 ? "u" : "c";
  }

  /** Folds a read's checkpoint into the binding's state (backfills move list positions, polls move cursors) and prints it. */
  async absorb(phase: Phase, states: ReadonlyMap<string, StreamState>): Promise<void> {
    for (const [account, next] of states) {
      const current = this.states.get(account) ?? {};
      if (phase === "backfill") this.states.set(account, { ...current, list: next.list });
      else if (phase === "events") this.states.set(account, { ...current, cursor: next.cursor });
      else this.states.set(account, next);
    }
    if (phase === "backfill" && this.fullReadActive && !this.fullReadPending()) await this.finishFullRead();
    else await this.checkpoint();
  }

  private async finishFullRead(): Promise<void> {
    this.fullReadActive = false;
    this.progress.fullReadsDone++;
    await this.checkpoint();
  }

  /** Whether the binding's current full read still has work (a list in progress, or a full refresh not done). */
  private fullReadPending(): boolean {
    if (this.kind === "events") return [...this.states.values()].some((s) => s.list);
    if (this.kind === "created") return this.states.size < this.ctx.accounts.length || [...this.states.values()].some((s) => s.list);
    return this.ctx.accounts.some((a) => !this.states.get(a.id)?.fullRefreshDone);
  }

  private async checkpoint(): Promise<void> {
    const { config, accounts, output } = this.ctx;
    const doc = encodeBindingState(this.binding.def, this.states, this.progress, { multiAccount: config.connected_accounts !== undefined, count: accounts.length });
    const updated = bindingStatePatch(this.binding.stateKey, this.doc, doc);
    this.doc = doc;
    await output.emit({ checkpoint: { state: { updated, mergePatch: true } } });
  }

  private startedAtMs(): number | undefined {
    return this.progress.fullReadStartedAt === undefined ? undefined : this.progress.fullReadStartedAt * 1000;
  }

  private live(): boolean {
    return Date.now() < this.ctx.deadline && !this.ctx.failure.error;
  }

  private async sleepUntil(at: number): Promise<void> {
    while (this.live() && Date.now() < at) await new Promise((r) => setTimeout(r, Math.min(1000, at - Date.now())));
  }
}
