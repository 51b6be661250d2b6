/** Prefix of the one line a scenario child prints with its JSON result (see bench/child.mjs). */
export const RESULT_MARK = '@@memotape-bench-result ';
