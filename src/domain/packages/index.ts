// The packages domain wired in one place: publishing, changes, reads and pages.
import type { Store } from '../store.js';
import type { Clock } from '../clock.js';
import type { BlobStore } from './blobs.js';
import type { TarballLimits } from './tarball.js';
import type { ManifestLimits } from './manifest-rules.js';
import { PackageService } from './service.js';
import type { VersionSigner } from './publish/context.js';

export interface PackagesDeps {
  store: Store;
  blobs: BlobStore;
  /** Publish times and the unpublish window. */
  clock: Clock;
  /** The URL clients reach the registry at, for tarball addresses; it can change once the port is known. */
  baseUrl: () => string;
  /** What one tarball may hold (the package.json bound is fixed here). */
  limits: Omit<TarballLimits, 'maxPackageJsonBytes'>;
  manifestLimits: ManifestLimits;
  unpublishWindowHours: number;
  /** Bytes of ready packuments to keep in memory. */
  packumentCacheBytes: number;
  /** Time budget for inspecting one tarball, in ms. */
  inspectBudgetMs: number;
  /** Whether readers without a token may read public packages (config anonymousReads). */
  anonymousReads?: boolean;
  /** Signs each new version (publish and import) in its transaction. */
  sign: VersionSigner;
}

export interface PackagesDomain {
  packages: PackageService;
}

/** The largest package.json read out of a tarball: far above any real one, and never configured. */
const MAX_PACKAGE_JSON_BYTES = 1024 * 1024;

export function wirePackages(deps: PackagesDeps): PackagesDomain {
  const packages = new PackageService({ ...deps, limits: { ...deps.limits, maxPackageJsonBytes: MAX_PACKAGE_JSON_BYTES } });
  return { packages };
}
