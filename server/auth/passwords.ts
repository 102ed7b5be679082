/** Password hashing with argon2id. */
import argon2 from 'argon2';

/** An argon2id cost: memory in KiB, passes, lanes. */
export type HashCost = { memoryCost: number; timeCost: number; parallelism: number };

/** OWASP's recommended argon2id cost: what every real deployment hashes with. */
export const PRODUCTION_COST: HashCost = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

/** argon2id's cheapest cost, for jest runs only: the suites log in hundreds of times to prove behaviour, not cost. */
export const TEST_COST: HashCost = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

/**
 * The cost new hashes are made with: production's, except inside a jest worker (JEST_WORKER_ID, which only jest sets)
 * under NODE_ENV=test. A stored hash names its own cost, so verifying always follows the hash.
 */
export function hashCost(env: NodeJS.ProcessEnv = process.env): HashCost {
  return env.NODE_ENV === 'test' && env.JEST_WORKER_ID ? TEST_COST : PRODUCTION_COST;
}

/** Hashes a password with argon2id (OWASP's recommended parameters outside tests). */
export function hashPassword(password: string, cost: HashCost = hashCost()): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id, ...cost });
}

/** Checks a password against a stored hash; false for a missing or malformed hash. */
export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  if (!hash) return false;
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the account does not exist, so timing does not reveal which e-mails exist. */
export const decoyHash = hashPassword('decoy-password-for-timing');
