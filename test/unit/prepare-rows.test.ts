// The step that turns a gzip export or a table export into the one JSON Lines object the map reads.
import { prepareRows, type PreparePorts } from '../../lambdas/rescore/prepare-rows';

function ports(objects: Record<string, string[]>) {
  const written: Record<string, string> = {};
  const read: string[] = [];
  const p: PreparePorts = {
    listKeys: async (_bucket, prefix) => Object.keys(objects).filter((k) => k.startsWith(prefix)),
    readLines: async function* (_bucket, key) {
      read.push(key);
      yield* objects[key];
    },
    writeLines: async (_bucket, key, lines) => {
      let text = '';
      for await (const line of lines) text += line;
      written[key] = text;
    },
  };
  return { p, written, read };
}

test('a table export: every data file, in key order, manifests left out, blank lines dropped', async () => {
  const { p, written, read } = ports({
    'snapshots/r1/AWSDynamoDB/e/data/b.json.gz': ['{"Item":2}', '', '{"Item":3}'],
    'snapshots/r1/AWSDynamoDB/e/data/a.json.gz': ['{"Item":1}'],
    'snapshots/r1/AWSDynamoDB/e/manifest-summary.json': ['{"itemCount":3}'],
    'snapshots/r2/AWSDynamoDB/e/data/a.json.gz': ['{"Item":"other run"}'],
  });
  const result = await prepareRows({ runId: 'r1', bucket: 'run', snapshotPrefix: 'snapshots/r1/AWSDynamoDB/' }, p);
  expect(result).toEqual({ bucket: 'run', key: 'snapshots/r1/rows.jsonl', rows: 3, files: 2 });
  expect(read).toEqual(['snapshots/r1/AWSDynamoDB/e/data/a.json.gz', 'snapshots/r1/AWSDynamoDB/e/data/b.json.gz']);
  expect(written['snapshots/r1/rows.jsonl']).toBe('{"Item":1}\n{"Item":2}\n{"Item":3}\n');
});

test('a gzip registry export: its lines as they are', async () => {
  const { p, written } = ports({ 'imports/x.jsonl.gz': ['{"detail":{}}', 'not json: copied as it is, the map reader judges it'] });
  expect(await prepareRows({ runId: 'r3', bucket: 'run', source: { key: 'imports/x.jsonl.gz' } }, p)).toEqual({ bucket: 'run', key: 'snapshots/r3/rows.jsonl', rows: 2, files: 1 });
  expect(written['snapshots/r3/rows.jsonl']).toBe('{"detail":{}}\nnot json: copied as it is, the map reader judges it\n');
});

test('a request without a source or a run id is refused', async () => {
  const { p } = ports({});
  await expect(prepareRows({ runId: 'r', bucket: 'run' }, p)).rejects.toThrow(/source.key .* or snapshotPrefix/);
  await expect(prepareRows({ runId: '../x', bucket: 'run', source: { key: 'imports/a.gz' } }, p)).rejects.toThrow(/run id/);
});
