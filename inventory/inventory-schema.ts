import { z } from 'zod';
import { DATA_CLASSES } from '../domain/data-classes';
import { LANDSCAPES } from '../domain/landscapes';
import { releaseSettingsSchema } from './release-settings-schema';
import { ed25519PublicKeyHex } from './trusted-keys';

/**
 * The shape of `stagecoach.yaml` (docs/domain.md "Inventory"). Objects are strict so a misspelt key is an error
 * naming it, not a silently ignored setting.
 */

const identifier = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]{0,62}$/,
    'must be letters, digits and underscores, starting with a letter or underscore (at most 63)',
  );
const tenantName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes, starting with a letter');
/** A literal value or a `${ENV_NAME}` reference resolved only inside the worker. */
const secretOrValue = z.string().min(1, 'must not be empty');

const sqliteDatabase = z
  .object({
    engine: z.literal('sqlite'),
    /** Relative paths are relative to the inventory file. */
    file: z
      .string()
      .min(1)
      .regex(/\.[A-Za-z0-9]+$/, 'must end with an extension such as .db'),
  })
  .strict();

const serverDatabase = z
  .object({
    engine: z.enum(['postgres', 'mssql']),
    host: secretOrValue,
    port: z.number().int().min(1).max(65535).optional(),
    user: secretOrValue,
    password: secretOrValue.optional(),
    database: identifier,
    encrypt: z.boolean().optional(),
    trustServerCertificate: z.boolean().optional(),
    dataDirectory: z.string().optional(),
  })
  .strict();

export const databaseConfigSchema = z.discriminatedUnion('engine', [sqliteDatabase, serverDatabase]);

const instanceSchema = z
  .object({
    database: databaseConfigSchema,
    /** Directory backups of this instance are written to and copied into. */
    backupLocation: z.string().min(1),
    emailDomain: z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'must be a domain name such as demo-stg.example.com'),
    metadataLocked: z.boolean().default(false),
    maintenanceMode: z.boolean().default(false),
  })
  .strict();

const cleanupScriptSchema = z.object({ name: z.string().min(1), sql: z.string().min(1) }).strict();

/** `5GB`, `512 MB`, or a number of bytes. */
const sizeSchema = z.union([
  z.number().int().positive(),
  z.string().regex(/^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB)\s*$/i, 'must be a size such as 5GB or 512MB'),
]);

const tenantSchema = z
  .object({
    schema: z.string().min(1),
    contact: z.string().optional(),
    /** docs/mass-deployment-and-promotions.md "Waves": labels a deployment selects by (`--tenant-tag`) and groups waves by. */
    tags: z
      .array(z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'tags are letters, digits, dots, dashes and underscores'))
      .default([]),
    /** docs/mass-deployment-and-promotions.md "Order": tenants that must have the package before this one (children before their parent). */
    dependsOn: z.array(z.string().min(1)).default([]),
    /** docs/database-operations.md "Shrink": shrink data to 5 GB or less after copying. */
    shrinkCap: sizeSchema.default('5GB'),
    cleanupScripts: z.array(cleanupScriptSchema).default([]),
    /** Overrides of the top-level `release` defaults for this tenant (windows, gates, durations). */
    release: releaseSettingsSchema.optional(),
    instances: z.partialRecord(z.enum(LANDSCAPES), instanceSchema),
  })
  .strict();

const schemaDescriptorSchema = z
  .object({
    /** `sample-itsm` takes the tables of sample/tenant-schema.ts. */
    builtin: z.literal('sample-itsm').optional(),
    tables: z.record(identifier, z.enum(DATA_CLASSES)).optional(),
    emailConfigurationsTable: identifier.optional(),
    apiKeysTable: identifier.optional(),
  })
  .strict()
  .refine((s) => Boolean(s.builtin) !== Boolean(s.tables), 'give either builtin or tables, not both or neither');

/** docs/approvals-locks-windows.md "Signed decisions": whose signature makes a gate decision count. */
const approvalsSchema = z
  .object({
    trustedKeys: z
      .array(
        z
          .object({
            id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'key ids are letters, digits, dots and dashes'),
            publicKey: z
              .string()
              .refine(
                (s) => ed25519PublicKeyHex(s) !== undefined,
                'must be an Ed25519 public key (PEM or 64 hex digits)',
              ),
            /** Users the key signs for; `*` for the approval service, which signs for whoever signed in. */
            signsFor: z.array(z.string().min(1)).min(1),
          })
          .strict(),
      )
      .default([])
      .refine((keys) => new Set(keys.map((k) => k.id)).size === keys.length, 'key ids must be unique'),
  })
  .strict();

export const inventoryFileSchema = z
  .object({
    version: z.literal(1),
    schemas: z
      .record(
        z.string().regex(/^[a-z][a-z0-9-]*$/, 'schema names are lower-case letters, digits and dashes'),
        schemaDescriptorSchema,
      )
      .default({}),
    /** Role name → user names (bundle-admin, promotion-admin, accept-bundle, admin, approver roles…). */
    roles: z
      .record(
        z.string().regex(/^[a-z][a-z0-9-]*$/, 'role names are lower-case letters, digits and dashes'),
        z.array(z.string().min(1)),
      )
      .default({}),
    /** Release defaults for every tenant (docs/releases.md "Settings and defaults"); default timings where absent. */
    release: releaseSettingsSchema.optional(),
    approvals: approvalsSchema.optional(),
    tenants: z.record(tenantName, tenantSchema),
  })
  .strict();

export type InventoryFile = z.infer<typeof inventoryFileSchema>;
export type DatabaseConfig = z.infer<typeof databaseConfigSchema>;
export type InstanceFileConfig = z.infer<typeof instanceSchema>;
export type SizeSetting = z.infer<typeof sizeSchema>;
