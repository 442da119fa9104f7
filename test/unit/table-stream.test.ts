// The twin's DynamoDB Streams emulation against real dynalite: each write's record carries the
// images DynamoDB would give, and the writer gets exactly the answer DynamoDB would give it (the
// proxy asks dynalite for the old image of a put or delete; the caller sees it only if it asked).
import { ConditionalCheckFailedException, CreateTableCommand, DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { startLocalEndpoints, type LocalEndpoints } from '../../twin/local-endpoints';
import { startTableStreams, type StreamRecord, type TableStreams } from '../../twin/table-stream';

const TABLE = 'Scores';
let endpoints: LocalEndpoints;
let streams: TableStreams;
let client: DynamoDBClient;
const records: StreamRecord[] = [];

beforeAll(async () => {
  endpoints = await startLocalEndpoints();
  const direct = new DynamoDBClient({ endpoint: endpoints.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await direct.send(new CreateTableCommand({ TableName: TABLE, KeySchema: [{ AttributeName: 'donorId', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'donorId', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
  direct.destroy();
  streams = await startTableStreams({
    dynamodbUrl: endpoints.dynamodb,
    tables: [{ logicalId: 'ScoreTable', name: TABLE, keyAttributes: ['donorId'], viewType: 'NEW_AND_OLD_IMAGES', streamArn: 'arn:stream' }],
    onRecord: (record) => void records.push(record),
  });
  client = new DynamoDBClient({ endpoint: streams.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});

afterAll(async () => {
  client.destroy();
  await streams.close();
  await endpoints.stop();
});

const put = (revision: number, extra: Record<string, unknown> = {}) =>
  client.send(
    new PutItemCommand({
      TableName: TABLE,
      Item: { donorId: { S: 'D-1' }, revision: { N: String(revision) }, band: { S: revision > 2 ? 'low' : 'high' } },
      ConditionExpression: 'attribute_not_exists(donorId) OR revision < :r',
      ExpressionAttributeValues: { ':r': { N: String(revision) } },
      ...extra,
    }),
  );

describe('the twin table stream', () => {
  it('gives an insert no old image, a replacement the item it replaced, and the writer no Attributes it did not ask for', async () => {
    const first = await put(1);
    expect(first.Attributes).toBeUndefined();
    const second = await put(2);
    expect(second.Attributes).toBeUndefined();
    expect(records.map((r) => [r.eventName, r.dynamodb.OldImage?.revision, r.dynamodb.NewImage?.revision])).toEqual([
      ['INSERT', undefined, { N: '1' }],
      ['MODIFY', { N: '1' }, { N: '2' }],
    ]);
    expect(Number(records[1].dynamodb.SequenceNumber)).toBeGreaterThan(Number(records[0].dynamodb.SequenceNumber));
  });

  it('hands the old item to a writer that asked for it', async () => {
    const third = await put(3, { ReturnValues: 'ALL_OLD' });
    expect(third.Attributes).toEqual({ donorId: { S: 'D-1' }, revision: { N: '2' }, band: { S: 'high' } });
    expect(records.at(-1)!.dynamodb.OldImage).toEqual(third.Attributes);
  });

  it('makes no record for a write its condition refuses, and passes the refusal on', async () => {
    const before = records.length;
    await expect(put(2)).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    expect(records.length).toBe(before);
  });

  it('reads an update before and after, and makes no record when nothing changed', async () => {
    const before = records.length;
    await client.send(new UpdateItemCommand({ TableName: TABLE, Key: { donorId: { S: 'D-1' } }, UpdateExpression: 'SET band = :b', ExpressionAttributeValues: { ':b': { S: 'medium' } } }));
    await client.send(new UpdateItemCommand({ TableName: TABLE, Key: { donorId: { S: 'D-1' } }, UpdateExpression: 'SET band = :b', ExpressionAttributeValues: { ':b': { S: 'medium' } } }));
    expect(records.slice(before).map((r) => [r.eventName, r.dynamodb.OldImage?.band, r.dynamodb.NewImage?.band])).toEqual([['MODIFY', { S: 'low' }, { S: 'medium' }]]);
  });

  it('gives a delete the item it removed, and deleting nothing makes no record', async () => {
    const before = records.length;
    const deleted = await client.send(new DeleteItemCommand({ TableName: TABLE, Key: { donorId: { S: 'D-1' } } }));
    expect(deleted.Attributes).toBeUndefined();
    await client.send(new DeleteItemCommand({ TableName: TABLE, Key: { donorId: { S: 'D-1' } } }));
    expect(records.slice(before).map((r) => [r.eventName, r.dynamodb.OldImage?.band, r.dynamodb.NewImage])).toEqual([['REMOVE', { S: 'medium' }, undefined]]);
  });
});
