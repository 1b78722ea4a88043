// Types of require-node.mjs (plain JavaScript, so that any Node can run it).
export function minimumOf(range: string | undefined): [number, number, number] | null;
export function isOlder(version: string, minimum: readonly [number, number, number]): boolean;
export function nodeVersionProblem(version: string, range: string | undefined, execPath: string): string | null;
export function requireNode(packageJson: URL): void;
