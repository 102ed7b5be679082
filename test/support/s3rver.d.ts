/** The part of s3rver's API the storage contract test uses (the package ships no types). */
declare module 's3rver' {
  /** An S3-speaking server on the local disk. */
  export default class S3rver {
    constructor(options: { port?: number; address?: string; silent?: boolean; directory: string; configureBuckets?: { name: string }[] });
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  }
}
