// The cold start's I/O floor (bench only; bundled by run-bench.ts beside the function's index.js,
// with the function's esbuild options). It is target 1's floor (onnxruntime-node, a session from
// the model's bytes, one row) plus the three requests every cold start of the function makes, made
// the cheapest way the function knows: the model's manifest and ONNX bytes as two signed GETs side
// by side, and the score's conditional PutItem with its body serialised beforehand (target 2's floor
// writes the same way). What the handler adds over this is ours: validation, features, checks of
// the model, the record, Powertools, the bundle's size. bench/PROFILE.md, "The I/O floor".
import * as ort from 'onnxruntime-node';
import { signedObjectGetter } from '../lambdas/score-donor/signed-object-get';
import { DYNAMODB_RETRIES, dynamoDbError, dynamoDbUrl } from '../lambdas/score-donor/signed-put-item';
import { signedSender } from '../lambdas/score-donor/signed-request';

export interface IoFloorInput {
  bucket: string;
  manifestKey: string;
  onnxKey: string;
  /** The model's input width; the row is all ones, as in the floor. */
  features: number;
  /** A PutItem body (TableName, Item, condition), serialised by the parent. */
  putItemBody: string;
}

/** Runs the I/O floor once; resolves once the PutItem has answered (a refused condition would throw). */
export async function ioFloor(input: IoFloorInput): Promise<{ sessionMs: number }> {
  const getObject = signedObjectGetter();
  const [, onnxBytes] = await Promise.all([getObject(input.bucket, input.manifestKey), getObject(input.bucket, input.onnxKey)]);
  const session = await ort.InferenceSession.create(onnxBytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const sessionMs = performance.now();
  await session.run({ features: new ort.Tensor('float32', new Float32Array(input.features).fill(1), [1, input.features]) });
  const dynamodb = signedSender('dynamodb', { retries: DYNAMODB_RETRIES });
  await dynamodb.send(
    {
      method: 'POST',
      url: dynamoDbUrl(dynamodb.region ?? '', process.env),
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.PutItem' },
      body: input.putItemBody,
    },
    dynamoDbError,
  );
  return { sessionMs };
}
