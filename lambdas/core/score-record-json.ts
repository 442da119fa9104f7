// The score record as one JSON line, byte for byte what JSON.stringify(record) gives, without
// JSON.stringify walking a 12-key record and a 22-key feature object per row: the keys and the
// batch's constant fields are spelled once, the numbers written as JSON writes them.
import { FEATURES } from './features';
import type { ScoreRecord } from './score-record';

// JSON.stringify writes NaN and ±Infinity as null; every other number as String(n) does.
const num = (n: number): string => (Number.isFinite(n) ? String(n) : 'null');
const str = (s: string | null): string => (s === null ? 'null' : JSON.stringify(s));
const FEATURE_KEYS = FEATURES.map((f, i) => `${i === 0 ? '{' : ','}${JSON.stringify(f.name)}:`);

/** A serialiser for records whose model and dates are the same (one batch): `serialise(record)`. */
export function scoreRecordSerialiser(modelVersion: string, modelSha256: string, scoringDate: string, scoredAt: string): (record: ScoreRecord) => string {
  const middle = `,"modelVersion":${str(modelVersion)},"modelSha256":${str(modelSha256)},"revision":`;
  const dates = `,"scoringDate":${str(scoringDate)},"scoredAt":${str(scoredAt)},"features":`;
  return (r) => {
    // A record from elsewhere (other model, dates, or a feature object not in FEATURES order) takes the slow path.
    if (r.modelVersion !== modelVersion || r.modelSha256 !== modelSha256 || r.scoringDate !== scoringDate || r.scoredAt !== scoredAt) return JSON.stringify(r);
    const f = r.features as Record<string, number>;
    let features = '';
    let k = 0;
    for (const name in f) {
      if (name !== FEATURES[k]?.name) return JSON.stringify(r);
      features += FEATURE_KEYS[k] + num(f[name]);
      k++;
    }
    if (k !== FEATURES.length) return JSON.stringify(r);
    return `{"donorId":${str(r.donorId)},"score":${num(r.score)},"band":${str(r.band)},"reasons":${JSON.stringify(r.reasons)}${middle}${num(r.revision)},"sourceEventId":${str(r.sourceEventId)},"updatedAt":${str(r.updatedAt)}${dates}${features}}}`;
  };
}
