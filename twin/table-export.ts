// The table's point-in-time export to S3 (ExportTableToPointInTime), as the local twin gives it: the
// same layout and format AWS writes (<S3Prefix>/AWSDynamoDB/<export id>/data/<n>.json.gz, one
// {"Item": <DynamoDB JSON>} per line, plus manifest-summary.json and manifest-files.json), read by
// a scan at one moment (the twin writes nothing else meanwhile: a consistent snapshot).
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export interface ExportRequest {
  TableArn: string;
  S3Bucket: string;
  S3Prefix?: string;
  ExportFormat?: string;
}

export async function exportTableToS3(dynamodb: DynamoDBClient, s3: S3Client, request: ExportRequest, itemsPerFile = 20_000): Promise<{ exportArn: string; items: number }> {
  if (request.ExportFormat && request.ExportFormat !== 'DYNAMODB_JSON') throw new Error(`the local twin exports DYNAMODB_JSON only, not ${request.ExportFormat}`);
  const tableName = request.TableArn.split(':table/')[1];
  const exportId = `${Date.now()}-${randomUUID().slice(0, 8)}`;
  const exportArn = `${request.TableArn}/export/${exportId}`;
  const base = `${request.S3Prefix ? `${request.S3Prefix.replace(/\/$/, '')}/` : ''}AWSDynamoDB/${exportId}/`;
  const files: { dataFileS3Key: string; itemCount: number }[] = [];
  let lines: string[] = [];
  let items = 0;
  const flush = async () => {
    if (!lines.length) return;
    const key = `${base}data/${randomUUID()}.json.gz`;
    await s3.send(new PutObjectCommand({ Bucket: request.S3Bucket, Key: key, Body: gzipSync(lines.join('\n') + '\n') }));
    files.push({ dataFileS3Key: key, itemCount: lines.length });
    lines = [];
  };
  let start: Record<string, any> | undefined;
  do {
    const page = await dynamodb.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      lines.push(JSON.stringify({ Item: item }));
      items += 1;
      if (lines.length >= itemsPerFile) await flush();
    }
    start = page.LastEvaluatedKey;
  } while (start);
  await flush();
  await s3.send(new PutObjectCommand({ Bucket: request.S3Bucket, Key: `${base}manifest-files.json`, Body: files.map((f) => JSON.stringify(f)).join('\n') }));
  await s3.send(
    new PutObjectCommand({
      Bucket: request.S3Bucket,
      Key: `${base}manifest-summary.json`,
      Body: JSON.stringify({ version: '2020-06-30', exportArn, tableArn: request.TableArn, exportTime: new Date().toISOString(), s3Bucket: request.S3Bucket, s3Prefix: request.S3Prefix ?? null, outputFormat: 'DYNAMODB_JSON', itemCount: items, manifestFilesS3Key: `${base}manifest-files.json` }),
    }),
  );
  return { exportArn, items };
}
