export { LuaVm, LuaFunction, type LuaValue, type HostFunction } from './vm/lua-vm.js';
export { LuaError, LUA_ERROR_CODES, type LuaErrorCode, type LuaErrorDetails } from './vm/errors.js';
export {
  LuaVmOptionsSchema,
  ExecOptionsSchema,
  AsyncExecOptionsSchema,
  CallOptionsSchema,
  AsyncCallOptionsSchema,
  type LuaVmOptions,
  type ExecOptions,
  type AsyncExecOptions,
  type CallOptions,
  type AsyncCallOptions,
} from './vm/options.js';
export { LuaSkillsEngine } from './engine/engine.js';
export { LuaSkillsEngineError, ENGINE_ERROR_CODES, type EngineErrorCode } from './engine/errors.js';
export { LuaSkillsEngineOptionsSchema, type LuaSkillsEngineOptions } from './engine/options.js';
export { RuntimeLeaseClient, DEFAULT_EVAL_TIMEOUT_MS, type LeaseHost } from './leases/client.js';
export { systemClock, type LeaseClock } from './leases/clock.js';
export {
  LeaseError,
  LeaseRequestError,
  LEASE_ERROR_CODES,
  type LeaseErrorCode,
  type LeaseTerminalCode,
} from './leases/errors.js';
export type { LeaseVm, LeaseEvalInput, LeaseEvalOutcome, LeaseInvocationContext } from './leases/lease-vm.js';
export { LuaLeaseVm } from './leases/lua-lease-vm.js';
export { RuntimeLeaseManager, MAX_ACTIVE_LEASES, TOMBSTONE_TTL_MS, type LeaseIdentity } from './leases/manager.js';
export type { LeasePathContext } from './leases/paths.js';
export type {
  LeaseCreatePayload,
  LeaseStatusPayload,
  LeaseClosePayload,
  LeaseEvalPayload,
  LeaseListPayload,
  LeaseErrorPayload,
  LeaseOutcome,
  LeaseLifetime,
} from './leases/payloads.js';
export { DEFAULT_PUBLIC_TTL_SEC, MIN_TTL_SEC, MAX_TTL_SEC, type LeaseProfile } from './leases/profile.js';
export {
  RuntimeLeaseCreateRequestSchema,
  RuntimeLeaseEvalRequestSchema,
  RuntimeLeaseIdentityRequestSchema,
  RuntimeLeaseListRequestSchema,
  RuntimeRequestContextSchema,
  type RuntimeLeaseCreateRequest,
  type RuntimeLeaseEvalRequest,
  type RuntimeLeaseIdentityRequest,
  type RuntimeLeaseListRequest,
  type RuntimeRequestContext,
} from './leases/schemas.js';
export { SkillPackageError, SkillRootError, SKILL_PACKAGE_ERROR_CODES, type SkillPackageErrorCode } from './skills/errors.js';
export { IDENTIFIER_PATTERN_TEXT, isValidIdentifier, identifierError, versionError } from './skills/identifiers.js';
export {
  SkillManifestSchema,
  SkillEntryManifestSchema,
  SkillParameterManifestSchema,
  SkillHelpNodeManifestSchema,
  SkillDatabaseManifestSchema,
  type SkillManifest,
  type SkillEntryManifest,
  type SkillParameterManifest,
  type SkillHelpNodeManifest,
  type SkillDatabaseManifest,
} from './skills/manifest-schema.js';
export {
  resolveEntryInputSchema,
  checkSchemaNode,
  checkEntryInputSchemaRoot,
  schemaFromParameters,
  deriveLegacyParameters,
  legacyParameterType,
  type JsonValue,
  type JsonObject,
  type RuntimeEntryParameterDescriptor,
  type ResolvedInputSchema,
} from './skills/input-schema.js';
export {
  loadSkillPackage,
  readSkillManifest,
  type SkillPackage,
  type SkillEntry,
  type SkillHelpNode,
  type SkillDatabaseConfig,
  type SkillPackageLocation,
} from './skills/manifest.js';
export {
  SKILL_ROOT_NAMES,
  RuntimeSkillRootSchema,
  RuntimeSkillRootsSchema,
  validateSkillRootChain,
  resolveEffectiveSkills,
  disabledRecordPath,
  type SkillRootName,
  type RuntimeSkillRoot,
  type ResolvedSkillRoot,
  type ResolvedSkillInstance,
  type SkillResolutionSkip,
  type SkillResolutionSkipReason,
  type SkillRootScan,
  type EffectiveSkillResolution,
} from './skills/roots.js';
export {
  SKILL_AUTHORITIES,
  isVisibleTo,
  checkAuthority,
  type SkillAuthority,
  type RuntimeEntryDescriptor,
  type RuntimeHelpNodeDescriptor,
  type RuntimeSkillHelpDescriptor,
  type RuntimeEntryRegistryDelta,
} from './skills/descriptors.js';
export { SkillRegistry, entryDescriptor, compareNames, type RegisteredSkillEntry, type SkillRegistryOptions } from './skills/registry.js';
export { diffEntryRegistries, isEmptyRegistryDelta } from './skills/delta.js';
export {
  loadSkillSet,
  effectiveStateDirName,
  SkillLoadOptionsSchema,
  type SkillLoadOptions,
  type SkillSet,
  type SkillLoadReport,
  type SkippedSkill,
  type FailedSkill,
  type SkillSkipReason,
} from './skills/load.js';
export { SkillCallError, SKILL_CALL_ERROR_CODES, type SkillCallErrorCode } from './engine/skill-errors.js';
export type { InvocationContext, SkillCallOptions } from './engine/skills-runtime.js';
export type { InvocationResult, OverflowMode } from './engine/tool-output.js';
export type { HostResult } from './engine/host-result.js';
export type { VmPoolStats } from './engine/vm-pool.js';
export {
  EngineOptionsJsonSchema,
  engineOptionsFromJson,
  resolveHostPaths,
  type EngineOptionsJson,
  type HostPathOptions,
  type ResolvedHostPaths,
} from './engine/host-options.js';
export { CodedError } from './coded-error.js';
export {
  SkillConfigStore,
  SENSITIVE_CONFIG_MASK,
  type SkillConfigEntry,
  type SkillConfigPackage,
  type SkillConfigPackageSource,
  type SkillConfigBusinessIssue,
  type SkillConfigBusinessValidator,
  type SkillConfigDeleteResult,
  type SkillConfigStoreRefresh,
  type SkillConfigLocation,
  type SkillConfigStoreScope,
  type SkillConfigEvent,
  type SkillConfigEventBatch,
  type SkillConfigGetResult,
  type SkillConfigSetResult,
  type SkillConfigItemDescription,
  type SkillConfigIssue,
  type SkillConfigDescription,
  type SkillConfigValidation,
  type SkillConfigWriteOptions,
  type SkillConfigStoreOptions,
} from './vulcan/config-store.js';
export { writeAtomically } from './vulcan/config-file.js';
export { describeInstalledConfig, type InstalledSkillConfigDescriptor, type InstalledSkillConfigOptions } from './skills/installed-config.js';
export {
  parseConfigDeclarations,
  checkConfigValue,
  configKeyError,
  ConfigDeclarationError,
  ConfigValueIssue,
  CONFIG_LIMITS,
  CONFIG_KEY_PATTERN,
  DECLARED_CONFIG_TYPES,
  DECLARED_CONFIG_FORMATS,
  type DeclaredConfigItem,
  type DeclaredConfigType,
  type DeclaredConfigFormat,
  type DeclaredConfigOption,
  type DeclaredConfigConstraints,
  type SkillConfigValue,
  type ConfigValueProblem,
} from './skills/config-declaration.js';
export {
  runConfigValidator,
  RunConfigValidatorRequestSchema,
  CONFIG_VALIDATOR_LIMITS,
  type RunConfigValidatorRequest,
  type ConfigBusinessIssue,
} from './skills/config-validator.js';
export { SkillConfigError, SKILL_CONFIG_ERROR_CODES, type SkillConfigErrorCode } from './vulcan/config-errors.js';
export { RuntimeCache, CACHE_CAPACITY, CACHE_DEFAULT_TTL_SEC, CACHE_MAX_TTL_SEC, type RuntimeCacheConfig } from './vulcan/cache.js';
export { logLevelOf, type LuaLogRecord, type LuaLogSink, type LuaLogLevel } from './vulcan/log.js';
export {
  MODEL_ERROR_CODES,
  type HostToolHandler,
  type HostToolRequest,
  type VulcanCaller,
  type EmbedHandler,
  type LlmHandler,
  type ModelUsage,
  type ModelErrorBody,
} from './vulcan/host-bridge.js';
export {
  LuaExecError,
  LUAEXEC_ERROR_CODES,
  LUAEXEC_DEFAULT_TIMEOUT_MS,
  LuaExecRequestSchema,
  type LuaExecRequest,
  type LuaExecErrorCode,
} from './engine/luaexec.js';
export {
  SKILL_MANAGEMENT_ACTIONS,
  payloadTargetsRoot,
  type SkillManagementAction,
  type SkillManagementHandler,
  type SkillManagementRequest,
} from './vulcan/skill-management.js';
export { LifecycleError, LIFECYCLE_ERROR_CODES, type LifecycleErrorCode } from './lifecycle/errors.js';
export { SkillLifecycle } from './engine/lifecycle-api.js';
export type { SkillApplyResult } from './lifecycle/apply-ops.js';
export type { LifecycleOptions } from './lifecycle/context.js';
export type { SkillStateResult, SkillUninstallResult, UninstallOptions } from './lifecycle/state-ops.js';
export type { SkillOperationProgressEvent, SkillLifecycleEvent, ProgressPhase } from './lifecycle/events.js';
export type { OperationPlane, ManagementAuthority, LifecycleAction } from './lifecycle/policy.js';
export {
  extractSkillZip,
  DEFAULT_MAX_ENTRIES,
  DEFAULT_MAX_UNPACKED_BYTES,
  DEFAULT_MAX_RATIO,
  RATIO_CHECK_MIN_BYTES,
  type ArchiveLimits,
  type ExtractedSkill,
} from './lifecycle/archive.js';
export { parseChecksums, checksumForAsset, sha256File, isSha256, normalizeSha256 } from './lifecycle/checksums.js';
export {
  downloadToFile,
  downloadToCache,
  fetchText,
  urlMatchesPrefixes,
  DEFAULT_MAX_DOWNLOAD_BYTES,
  DEFAULT_MAX_TEXT_BYTES,
  type FetchOptions,
  type DownloadOptions,
  type CachedDownloadOptions,
  type DownloadResult,
  type DownloadProgressStatus,
} from './lifecycle/download.js';
export {
  parseSkillSourceManifest,
  validateSourceManifestFor,
  SkillSourceManifestSchema,
  UPSTREAM_SOURCE_TYPES,
  type SkillSourceManifest,
} from './lifecycle/source-manifest.js';
export {
  resolveSkillSource,
  resolveRequestedSkillId,
  normalizeGithubRepoLocator,
  rewriteGithubDownloadUrl,
  SKILL_SOURCE_TYPES,
  type SkillSourceType,
  type SkillInstallRequest,
  type SkillSourceConfig,
  type ResolvedSkillSource,
  type ResolvedArchive,
} from './lifecycle/sources.js';
export { fetchSkillArchive, type FetchSkillArchiveOptions, type FetchedSkillArchive } from './lifecycle/fetch-archive.js';
export { copySkillDir } from './lifecycle/stage-dir.js';
export { prepareSkillPackage, type PrepareSkillPackageOptions, type PreparedSkillPackage } from './lifecycle/prepare.js';
export {
  emitProgress,
  percentOf,
  type SkillAcquisitionEvent,
  type SkillAcquisitionPhase,
  type SkillAcquisitionStatus,
  type SkillAcquisitionListener,
} from './lifecycle/progress.js';
export {
  DatabaseError,
  SQLITE_ACTIONS,
  LANCEDB_ACTIONS,
  databaseBindingOf,
  type DatabaseKind,
  type DatabaseProviderKind,
  type DatabaseProvider,
  type DatabaseProviderRequest,
  type DatabaseProviderInfo,
  type DatabaseValue,
  type DatabaseErrorCode,
  type EngineDatabaseProvider,
  type RuntimeDatabaseBindingContext,
  type SqliteProviderAction,
  type LanceDbProviderAction,
  type SkillDatabaseRuntime,
} from './vulcan/database-provider.js';
export { BetterSqliteProvider } from './vulcan/sqlite-provider.js';
export { LanceDbProvider } from './vulcan/lancedb-provider.js';
export {
  parseDependencyManifest,
  readDependencyManifest,
  parseSkillListIndex,
  DEPENDENCY_KINDS,
  type DependencyKind,
  type DependencyManifest,
  type DependencySpec,
  type DependencyPackage,
  type DependencyExport,
  type DependencySource,
  type SkillListIndex,
} from './dependencies/manifest.js';
export { currentPlatformKey, platformKeyOf, type PlatformKey } from './dependencies/platform.js';
export { sanitizePathComponent, dependencyInstallRoot, dependencyRootsFor, type DependencyRoots, type DependencyPathOptions } from './dependencies/paths.js';
export { ensureSkillDependencies, type EnsureContext, type DependencyLog } from './dependencies/ensure.js';
export type { DependencyNetworkSettings } from './dependencies/resolve.js';
export { SkillConfigJson } from './vulcan/config-json.js';
