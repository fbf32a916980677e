// What the typosquatting defence needs from storage (the Kysely version is storage/db/names.ts).

export interface AllowedName {
  name: string;
  /** Only this user may claim it (an approved claim); undefined: anyone may. */
  userId: number | undefined;
  note: string;
  createdAt: string;
}

export type ClaimState = 'pending' | 'approved' | 'rejected';

export interface NameClaim {
  name: string;
  userId: number;
  /** The user's name, for the review list. */
  userName: string;
  similarTo: string;
  technique: string;
  state: ClaimState;
  createdAt: string;
  decidedAt: string | undefined;
}

export interface NameStore {
  allowed(name: string): Promise<AllowedName | undefined>;
  allowedNames(): Promise<AllowedName[]>;
  /** Adds or replaces the entry. */
  allow(entry: AllowedName): Promise<void>;
  /** Whether there was an entry to remove. */
  disallow(name: string): Promise<boolean>;
  claim(name: string, userId: number): Promise<NameClaim | undefined>;
  claims(state: ClaimState): Promise<NameClaim[]>;
  /** Inserts a pending claim unless this user has one for this name; whether it inserted. */
  addClaim(claim: Omit<NameClaim, 'userName' | 'state' | 'decidedAt'>): Promise<boolean>;
  decide(name: string, userId: number, state: 'approved' | 'rejected', at: string): Promise<void>;
}
