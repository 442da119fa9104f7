// The stored scores of one monitoring run, counted as they stream by: bin counts of the score and of
// every feature at the training reference's cuts, the band mix, scores by model version and by day,
// and how many are older than the refresh period. Memory is a few hundred numbers whatever the
// population: a 9 M-donor snapshot is read line by line into this, never held. Pure.
import { isoDateToDay } from '../core/calendar';
import type { Band } from '../core/model-manifest';
import type { MonitoringReference } from './monitoring-reference';
import type { MonitoredScore } from './monitoring-run';
import { binIndex } from './population-stability';

export class ScorePopulation {
  rows = 0;
  stale = 0;
  newestDay: number | null = null;
  readonly scoreCounts: number[];
  readonly featureCounts: Record<string, number[]>;
  readonly bands: Record<Band, number> = { high: 0, medium: 0, low: 0 };
  readonly byModelVersion: Record<string, number> = {};
  readonly byDay = new Map<string, number>();
  private readonly asOfDay: number;

  constructor(
    readonly reference: MonitoringReference,
    readonly asOf: string,
    readonly refreshPeriodDays: number,
  ) {
    this.asOfDay = isoDateToDay(asOf);
    this.scoreCounts = new Array<number>(reference.score.cuts.length + 1).fill(0);
    this.featureCounts = Object.fromEntries(Object.entries(reference.features).map(([name, ref]) => [name, new Array<number>(ref.cuts.length + 1).fill(0)]));
  }

  add(s: MonitoredScore): void {
    this.rows++;
    this.scoreCounts[binIndex(this.reference.score.cuts, s.score)]++;
    for (const [name, counts] of Object.entries(this.featureCounts)) {
      const value = s.features?.[name];
      if (typeof value === 'number') counts[binIndex(this.reference.features[name].cuts, value)]++;
    }
    this.bands[s.band] = (this.bands[s.band] ?? 0) + 1;
    this.byModelVersion[s.modelVersion] = (this.byModelVersion[s.modelVersion] ?? 0) + 1;
    const date = s.scoringDate.slice(0, 10);
    const day = isoDateToDay(date);
    if (this.asOfDay - day > this.refreshPeriodDays) this.stale++;
    this.newestDay = this.newestDay === null ? day : Math.max(this.newestDay, day);
    this.byDay.set(date, (this.byDay.get(date) ?? 0) + 1);
  }

  static of(reference: MonitoringReference, asOf: string, refreshPeriodDays: number, scores: Iterable<MonitoredScore>): ScorePopulation {
    const population = new ScorePopulation(reference, asOf, refreshPeriodDays);
    for (const s of scores) population.add(s);
    return population;
  }
}
