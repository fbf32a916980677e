export interface WebLogin {
  id: string;
  userId: number | null;
  createdAt: string;
  expiresAt: string;
  consumedAt: string | null;
}

export interface WebLoginStore {
  insert(login: { id: string; doneHash: string; createdAt: string; expiresAt: string }): Promise<void>;
  byId(id: string): Promise<WebLogin | undefined>;
  byDoneHash(doneHash: string): Promise<WebLogin | undefined>;
  approve(id: string, userId: number): Promise<void>;
  /** Marks it consumed; false if another poll consumed it first. */
  consume(id: string, at: string): Promise<boolean>;
}
