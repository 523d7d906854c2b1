import { putJson, type Upload } from './objects.ts';

interface Failed extends Upload {
  /** What the Catch put at ResultPath $.error. */
  error: { Error: string; Cause?: string };
}

/** The failure path: failures/<key>.json says what broke (a real service would page or e-mail). */
export const handler = async (event: Failed) => {
  let cause: unknown = event.error.Cause;
  try {
    // A function's error arrives as JSON text: {errorType, errorMessage, trace}.
    cause = JSON.parse(String(event.error.Cause));
  } catch {
    // plain text
  }
  const report = {
    source: { bucket: event.bucket, key: event.key },
    error: event.error.Error,
    cause,
    failedAt: new Date().toISOString(),
  };
  const location = await putJson(`failures/${event.key}.json`, report);
  console.log(`image workflow failed for ${event.bucket}/${event.key}: ${event.error.Error}`);
  return location;
};
