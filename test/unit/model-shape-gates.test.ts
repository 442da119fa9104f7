// The model's shape gates (npm run train): each can fail, and says what failed in words a data
// scientist can act on. Built on the committed manifest, with one thing broken at a time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelManifest } from '../../lambdas/core/model-manifest';
import { modelShapeGates } from '../../model/model-checks';

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'model', 'manifest.json'), 'utf8')) as ModelManifest;
const gate = (m: ModelManifest, name: string) => modelShapeGates(m, {}).find((g) => g.gate === name)!;
const withCodes = (codes: ModelManifest['reasonCodes']['codes']): ModelManifest => ({ ...manifest, reasonCodes: { ...manifest.reasonCodes, codes } });

describe('the model shape gates', () => {
  it('pass on the committed model, in the words its model card records', () => {
    const card = readFileSync(join(__dirname, '..', '..', 'model', 'MODEL_CARD.md'), 'utf8');
    for (const name of ['reason wording', 'reason codes fire']) {
      expect(gate(manifest, name).passed).toBe(true);
      expect(card).toContain(gate(manifest, name).detail);
    }
  });

  it('name a code worded against its effect, in plain grammar', () => {
    const codes = manifest.reasonCodes.codes.map((c) => (c.code === 'BLOOD_DONOR' ? { ...c, effect: 'lowers' as const } : c));
    const result = gate(withCodes(codes), 'reason wording');
    expect(result.passed).toBe(false);
    expect(result.detail).toBe('BLOOD_DONOR is worded as raising the score but lowers it');
  });

  it('name the codes no donor was given, instead of claiming every code fired', () => {
    const codes = manifest.reasonCodes.codes.map((c, i) => (i < 2 ? { ...c, firedFor: 0 } : c));
    const result = gate(withCodes(codes), 'reason codes fire');
    expect(result.passed).toBe(false);
    expect(result.detail).toBe(`2 of ${codes.length} codes are given to no donor of the training data: ${codes[0].code}, ${codes[1].code} (remove them from the catalogue or fix their rule)`);
    expect(gate(withCodes([]), 'reason codes fire')).toEqual({ gate: 'reason codes fire', passed: false, detail: 'the catalogue has no codes' });
  });
});
