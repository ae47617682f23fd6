/** What one transfer may expand to. Every limit is checked against bytes actually produced, not only declared. */
export interface UnpackLimits {
  /** Most bytes all entries may inflate to together. */
  maxTotalBytes: number;
  /** Most entries (files and directories) one archive or directory may hold. */
  maxEntries: number;
  /** Highest inflated ÷ compressed size of one entry. Deflate tops out near 1032:1. */
  maxRatio: number;
  /**
   * Entries are held to `maxRatio` only past this many inflated bytes: a few KiB of blank form
   * text legitimately compresses beyond 200:1, and a small entry cannot exhaust a disk.
   */
  ratioFloorBytes: number;
}

const GiB = 1024 * 1024 * 1024;

/**
 * Sized for a record room's transfer: tens of thousands of scans and documents. The ratio limit
 * would refuse a large uncompressed TIFF of blank pages (which deflates ~1000:1); raise it for such
 * a transfer rather than lowering the guard for everyone.
 */
export const DEFAULT_UNPACK_LIMITS: Readonly<UnpackLimits> = Object.freeze({
  maxTotalBytes: 64 * GiB,
  maxEntries: 200_000,
  maxRatio: 200,
  ratioFloorBytes: 1024 * 1024,
});
