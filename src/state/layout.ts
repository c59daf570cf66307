import path from 'node:path';
import type { Config } from '../config/index.js';

/** Where each part of the state lives inside the state folder. */
export interface HomeLayout {
  readonly home: string;
  readonly configFile: string;
  /** The SQLite file (unused when store.url points at PostgreSQL). */
  readonly database: string;
  readonly blobs: string;
  /** Blobs encrypted at rest, kept apart from plain ones. */
  readonly encryptedBlobs: string;
  readonly keys: string;
  /** ECDSA P-256 key that signs statements (models, runs, datasets, approvals). */
  readonly signingKey: string;
  readonly signingPublicKey: string;
  /** Ed25519 key that signs audit-log checkpoints. */
  readonly checkpointKey: string;
  readonly checkpointPublicKey: string;
  /** Local key-encryption key for envelope encryption at rest. */
  readonly kek: string;
  /** The admin bearer token (0600); only its hash is stored in the database. */
  readonly adminToken: string;
}

/** Resolves the layout of a state folder; relative config paths are relative to `home`. */
export function homeLayout(home: string, config: Config, configFile?: string): HomeLayout {
  const keys = path.join(home, 'keys');
  const blobs = path.resolve(home, config.blobs.dir);
  return {
    home,
    configFile: configFile ?? path.join(home, 'rampart.yaml'),
    database: path.resolve(home, config.store.sqliteFile),
    blobs,
    encryptedBlobs: path.join(blobs, 'enc'),
    keys,
    signingKey: path.join(keys, 'signing.key'),
    signingPublicKey: path.join(keys, 'signing.pub'),
    checkpointKey: path.join(keys, 'checkpoint.key'),
    checkpointPublicKey: path.join(keys, 'checkpoint.pub'),
    kek: path.join(keys, 'kek.key'),
    adminToken: path.join(home, 'admin.token'),
  };
}
