// The part of @npmcli/arborist (npm's own tree builder, no type declarations of its own) that the
// no-lockfile install uses.
declare module '@npmcli/arborist' {
  interface Shrinkwrap {
    save(options?: { format?: boolean }): Promise<unknown>;
  }
  interface Node {
    meta: Shrinkwrap;
    inventory: Map<string, unknown>;
  }
  export default class Arborist {
    constructor(options: Record<string, unknown>);
    buildIdealTree(options?: Record<string, unknown>): Promise<Node>;
    reify(options?: Record<string, unknown>): Promise<Node>;
    idealTree: Node | null;
  }
}
