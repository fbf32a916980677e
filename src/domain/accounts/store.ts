export interface User {
  id: number;
  name: string;
  email: string;
  emailVerified: boolean;
  isAdmin: boolean;
  createdAt: string;
}

export interface NewUser {
  name: string;
  email: string;
  emailVerified: boolean;
  passwordHash: string;
  isAdmin: boolean;
  createdAt: string;
}

export interface UserStore {
  /** Inserts the user; undefined when the name is taken. */
  insert(user: NewUser): Promise<User | undefined>;
  byName(name: string): Promise<User | undefined>;
  byId(id: number): Promise<User | undefined>;
  passwordHash(userId: number): Promise<string | undefined>;
  setPasswordHash(userId: number, passwordHash: string): Promise<void>;
}
