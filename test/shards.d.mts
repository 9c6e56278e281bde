// Types for test/shards.mjs (plain JS, so that test/run.mjs runs without tsx), for the tests that drive it.
export declare const DURATIONS_FILE: string;
export declare function readDurations(path: string): Map<string, number>;
export declare function writeDurations(path: string, durations: Iterable<readonly [string, number]>): void;
export declare function planShards(root: string, files: string[], count: number, durations: Map<string, number>): string[][];
export declare function writeShardEntries(root: string, dir: string, shards: string[][]): string[];
