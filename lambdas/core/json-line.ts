// One line of a JSON Lines input (`drs score --in`, `npm start -- --events-file`): the same three
// line-level problems get the same words wherever a file is read.
import type { ContractViolation } from './donor-updated';

export const LINE_FIELD = '(line)';
export const LINE_RULES = {
  blank: 'must be a JSON object, not a blank line',
  notJson: 'must be valid JSON',
  notObject: 'must be a JSON object (a whole event, a generator row or a detail)',
} as const;

export type ParsedLine = { ok: true; value: Record<string, unknown> } | { ok: false; error: ContractViolation; value: unknown };

export function parseJsonLine(text: string): ParsedLine {
  // A byte-order mark (a file saved by some editors) is not part of the JSON.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    // Only now is it worth asking whether the line was blank (no blank line is JSON).
    if (body.trim() === '') return { ok: false, error: { field: LINE_FIELD, rule: LINE_RULES.blank }, value: text };
    return { ok: false, error: { field: LINE_FIELD, rule: LINE_RULES.notJson }, value: text };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, error: { field: LINE_FIELD, rule: LINE_RULES.notObject }, value };
  return { ok: true, value: value as Record<string, unknown> };
}
