-- The traces of each model that start in each UTC hour, and those with an errored span: trace_models (480) grouped by
-- (project, model, hour). The traces list's count by a model (with a time range and a status or not) sums the whole
-- hours here and counts only the partial hours at either end from trace_models (HourRange), instead of counting every
-- index entry of the model. Why: the count by the model on the most calls walked its 174,757 entries, 7–8 ms on a
-- 1 M-span file, so ~75 ms at 10 M (docs/benchmarks.md, session 35). Kept by the writer (TraceModels counts every
-- trace_models row it inserts, moves or deletes: SessionRollupDeltas.CountModelTrace); hours whose counts went back to
-- zero may stay.
CREATE TABLE trace_model_counts_hourly (
    project_id  INTEGER NOT NULL,
    model       TEXT NOT NULL,
    hour        INTEGER NOT NULL,   -- HourRange.Floor(trace_models.started_ms)
    traces      INTEGER NOT NULL,
    errored     INTEGER NOT NULL,   -- of them, rows with errored = 1
    PRIMARY KEY (project_id, model, hour)
) WITHOUT ROWID;

INSERT INTO trace_model_counts_hourly (project_id, model, hour, traces, errored)
SELECT project_id, model, started_ms - ((started_ms % 3600000) + 3600000) % 3600000 AS hour, COUNT(*), SUM(errored)
FROM trace_models
GROUP BY project_id, model, hour;
