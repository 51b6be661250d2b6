import { summarize } from './stats.mjs';

/*
 * Combines the results of one scenario's processes: per row and metric the median of the per-process values with
 * min–max, ratios taken inside each process before the median, and each target evaluated the same way.
 */

function rowValue(result, rowId, metric) {
  const value = result.rows.find((row) => row.id === rowId)?.values?.[metric];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * A target's measured quantity in one process: a time ratio (lower is better), a speedup (higher is better) or, for
 * kind `value`, the subject's own value (lower is better, no other row).
 */
function targetValue(result, target) {
  const subject = rowValue(result, target.subject, target.metric);
  if (target.kind === 'value') return subject;
  const against = target.against
    .map((id) => rowValue(result, id, target.metric))
    .filter((value) => value !== undefined);
  if (subject === undefined || against.length === 0) return undefined;
  // Against several rows, the strongest one counts: the fastest (or leanest) of them.
  const best = Math.min(...against);
  return target.kind === 'speedup' ? best / subject : subject / best;
}

export function aggregateScenario(results) {
  const complete = results.filter((result) => result.rows !== undefined);
  const meta = complete[0] ?? results[0] ?? {};
  const errors = results.filter((result) => result.error !== undefined).map((result) => result.error);
  const rowIds = [];
  for (const result of complete) for (const row of result.rows) if (!rowIds.includes(row.id)) rowIds.push(row.id);

  const rows = rowIds.map((id) => {
    const perProcess = complete.map((result) => result.rows.find((row) => row.id === id)).filter(Boolean);
    const first = perProcess[0];
    const baseline = first.baseline ?? meta.baseline;
    const values = {};
    const ratios = {};
    for (const { key } of meta.metrics ?? []) {
      values[key] = summarize(perProcess.map((row) => row.values[key]));
      ratios[key] = summarize(
        complete.map((result) => {
          const own = rowValue(result, id, key);
          const base = rowValue(result, baseline, key);
          return own === undefined || base === undefined ? undefined : own / base;
        }),
      );
    }
    const rowErrors = [...new Set(perProcess.map((row) => row.error).filter(Boolean))];
    return { id, label: first.label, short: first.short, baseline, values, ratios, errors: rowErrors };
  });

  const targets = (meta.targets ?? []).map((target) => {
    const measured = summarize(complete.map((result) => targetValue(result, target)));
    let verdict = 'n/a';
    if (measured !== undefined) {
      // A value target ("1 computation") states what every process must see, so its worst process decides.
      const passes =
        target.kind === 'speedup'
          ? measured.median >= target.limit
          : (target.kind === 'value' ? measured.max : measured.median) <= target.limit;
      verdict = passes ? 'pass' : 'MISS';
    }
    return { ...target, measured, verdict };
  });

  return {
    number: meta.number,
    title: meta.title,
    workload: meta.workload,
    metrics: meta.metrics ?? [],
    baseline: meta.baseline,
    baselineLabel: meta.baselineLabel,
    notes: meta.notes ?? [],
    pending: complete.find((result) => result.pending)?.pending,
    skipped: complete.find((result) => result.skipped)?.skipped,
    processes: results.length,
    seconds: summarize(complete.map((result) => result.seconds)),
    rows,
    targets,
    errors,
  };
}
