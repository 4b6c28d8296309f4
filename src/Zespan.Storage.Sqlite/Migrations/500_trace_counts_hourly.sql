-- The traces that start in each UTC hour, and those with an errored span, per project: the traces list's count over a
-- time range (the Traces view's 24 h / 7 d / 30 d presets) sums the whole hours here and counts only the partial hours
-- at either end from the rows (HourRange), instead of counting every trace in the range. Why: that count walked
-- traces_by_started, 13 ms for the ~290,000 traces of 7 days on a 1 M-span file, so ~0.5 s for 30 days at 10 M
-- (docs/benchmarks.md, session 35). Kept by the writer with the per-project counters (SessionRollupDeltas.MoveTrace):
-- each trace row counts once in the hour of its start, and a row that moves (an earlier span, a first error, a rebuild,
-- retention) moves its count.
CREATE TABLE trace_counts_hourly (
    project_id  INTEGER NOT NULL,
    hour        INTEGER NOT NULL,   -- HourRange.Floor(traces.started_ms)
    traces      INTEGER NOT NULL,
    errored     INTEGER NOT NULL,   -- of them, traces with error_count > 0
    PRIMARY KEY (project_id, hour)
) WITHOUT ROWID;

INSERT INTO trace_counts_hourly (project_id, hour, traces, errored)
SELECT project_id, started_ms - ((started_ms % 3600000) + 3600000) % 3600000 AS hour, COUNT(*), SUM(error_count > 0)
FROM traces WHERE span_count > 0
GROUP BY project_id, hour;
