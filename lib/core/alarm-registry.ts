import { IssueCollector, pathKey } from './errors';
import { alarmName } from './alarm-names';
import type { AlarmOverride, MonitoringSpec, Severity } from './spec/monitoring';

/** The values of an alarm after the spec's tuning. */
export interface TunedValues {
  /** The threshold the alarm uses. */
  readonly threshold: number;
  /** The periods it evaluates. */
  readonly evaluationPeriods: number;
}

/** What every default alarm says and does, on both clouds, besides its cloud's condition. */
export interface AlarmBasics {
  /** The value that trips the alarm. */
  readonly threshold: number;
  /**
   * How many periods are evaluated.
   * @default 1
   */
  readonly evaluationPeriods?: number;
  /** Who is told: `critical` goes to the on-call channels, `warning` to working-hours ones. */
  readonly severity: Severity;
  /**
   * What the alarm means, in one sentence; a function receives the values after the spec's tuning, so the
   * numbers it quotes are the ones the alarm uses.
   */
  readonly description: string | ((tuned: TunedValues) => string);
  /** What to do first when it fires, in one sentence. */
  readonly firstResponse: string;
}

/** An alarm definition after the spec's tuning, its description resolved. */
export type Tuned<T extends AlarmBasics> = Omit<T, 'description' | 'evaluationPeriods'> & {
  readonly description: string;
  readonly evaluationPeriods: number;
};

/**
 * The cloud-neutral half of an environment's alarm registry, used by `Monitoring` on both clouds: it names
 * alarms, refuses an id registered twice, applies the spec's overrides (tune or switch off, never silently),
 * checks that every alarm explains itself, and reports overrides that name no alarm.
 */
export class AlarmRegistry {
  /** Every id registered: `single` (one alarm), `members` (one alarm per member) or `elsewhere` (other cloud). */
  private readonly registered = new Map<string, 'single' | 'members' | 'elsewhere'>();
  private readonly members = new Set<string>();
  private readonly off = new Map<string, string>();

  constructor(
    /** The environment name. */
    public readonly environment: string,
    private readonly spec: Pick<MonitoringSpec, 'alarms' | 'routing'>,
  ) {}

  /** The alarm ids switched off in the spec, with their reasons. */
  public get disabled(): ReadonlyMap<string, string> {
    return this.off;
  }

  /**
   * Registers an alarm id and applies the spec's override to its definition.
   * @param member for an alarm kept once per resource (one per server): the resource's key; the spec's override
   *   of the id applies to every member
   * @returns the tuned definition, or undefined when the spec switched the alarm off
   * @throws Error when the id (or the id and member) is registered twice, or the definition does not explain itself
   */
  public tune<T extends AlarmBasics>(id: string, definition: T, member?: string): Tuned<T> | undefined {
    alarmName(this.environment, id, member); // validates the id and member
    const mode = member === undefined ? 'single' : 'members';
    const known = this.registered.get(id);
    const key = `${id}#${member ?? ''}`;
    if ((known !== undefined && known !== mode) || this.members.has(key)) {
      const what = member === undefined ? `alarm id "${id}"` : `alarm id "${id}" with member "${member}"`;
      throw new Error(`Monitoring ${this.environment}: ${what} is registered twice`);
    }
    this.registered.set(id, mode);
    this.members.add(key);
    const override: AlarmOverride | undefined = this.spec.alarms[id];
    if (override?.enabled === false) {
      this.off.set(id, override.reason);
      return undefined;
    }
    const merged = { ...definition, ...(override ?? {}) };
    const evaluationPeriods = merged.evaluationPeriods ?? 1;
    const description =
      typeof merged.description === 'function'
        ? merged.description({ threshold: merged.threshold, evaluationPeriods })
        : merged.description;
    const issues = new IssueCollector();
    if (description.trim().length < 10) issues.add(`${id}.description`, description, 'a sentence saying what it means');
    if (merged.firstResponse.trim().length < 10) {
      issues.add(`${id}.firstResponse`, merged.firstResponse, 'a sentence saying what to do first');
    }
    if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1) {
      issues.add(`${id}.evaluationPeriods`, evaluationPeriods, 'a whole number, at least 1');
    }
    if (!Number.isFinite(merged.threshold)) issues.add(`${id}.threshold`, merged.threshold, 'a finite number');
    issues.throwIfAny('Invalid alarm');
    return { ...merged, description, evaluationPeriods } as Tuned<T>;
  }

  /**
   * Records an alarm id that exists on the other cloud only (the EC2 recover alarm has no Azure twin), so that
   * a spec override of it is accepted here instead of being reported as naming no alarm.
   * @throws Error when the id is registered already
   */
  public declareElsewhere(id: string): void {
    alarmName(this.environment, id);
    if (this.registered.has(id))
      throw new Error(`Monitoring ${this.environment}: alarm id "${id}" is registered twice`);
    this.registered.set(id, 'elsewhere');
  }

  /** The description an alarm carries on both clouds: severity, meaning and first response. */
  public static describe(tuned: Pick<Tuned<AlarmBasics>, 'severity' | 'description' | 'firstResponse'>): string {
    return `[${tuned.severity}] ${tuned.description} First response: ${tuned.firstResponse}`;
  }

  /** The dashboard or workbook header: routing, and the alarms switched off with their reasons (markdown). */
  public header(): string {
    const off = [...this.off].sort(([a], [b]) => (a < b ? -1 : 1));
    return [
      `# Platform ${this.environment}`,
      `Critical alerts: ${this.spec.routing.critical.join(', ') || 'nowhere'}; warnings: ${this.spec.routing.warning.join(', ') || 'nowhere'}.`,
      off.length === 0
        ? 'Every default alarm is on.'
        : `Switched off in the spec: ${off.map(([id, reason]) => `\`${id}\` (${reason})`).join('; ')}.`,
    ].join('\n\n');
  }

  /** One problem per override that names no registered alarm (it would otherwise be ignored). */
  public unusedOverrides(): string[] {
    const known = [...this.registered.keys()].sort();
    return Object.keys(this.spec.alarms)
      .filter((id) => !this.registered.has(id))
      .map(
        (id) =>
          `monitoring.alarms.${pathKey(id)}: no alarm has this id, so the override would be ignored; the alarms are ${known.join(', ')}`,
      );
  }
}
