// Types of build/renderer.mjs for the TypeScript callers (the e2e harness).
export declare const rendererIndex: string;
export declare function rendererBuildReason(root?: string): 'missing' | 'stale' | null;
export declare function ensureRendererBuilt(opts?: { force?: boolean }): 'built' | 'up-to-date';
