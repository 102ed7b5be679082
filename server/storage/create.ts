/** Picks the file storage the configuration names: the local disk (UPLOAD_DIR) or an S3 bucket. */
import type { Config } from '../config';
import { LocalDiskStorage, type FileStorage } from './index';
import type { S3Storage as S3StorageClass } from './s3';

/** The storage for `config`; the S3 SDK is loaded only when a bucket is configured (a shorter start without it). */
export function createStorage(config: Pick<Config, 'storage' | 'uploadDir'>): FileStorage {
  if (config.storage.kind === 'local') return new LocalDiskStorage(config.uploadDir);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { S3Storage } = require('./s3') as { S3Storage: typeof S3StorageClass };
  return new S3Storage(config.storage);
}
