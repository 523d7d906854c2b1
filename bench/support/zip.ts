// A one-file .zip, for deploying generated functions through the REST API (zipBase64) without
// touching the disk (fflate, the zip library the platform itself uses).
import { strToU8, zipSync } from 'fflate';

export function zipOne(fileName: string, text: string): Buffer {
  return Buffer.from(zipSync({ [fileName]: strToU8(text) }));
}
