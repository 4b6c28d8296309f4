using Zespan.DataGen;

DataGenOptions options;
try
{
    if (args.Contains("--help") || args.Contains("-h"))
    {
        Console.WriteLine(DataGenOptions.Usage);
        return 0;
    }
    options = DataGenOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(DataGenOptions.Usage);
    return 2;
}

var plan = options.Generation;
var generator = new SessionGenerator(plan);
var progress = new ProgressBar(options.Target == "http" ? "ingest" : "load", plan.Sessions);
var batches = SessionBatches.Start(generator, plan.Sessions, options.Batch);
long stored;
if (options.Target == "http")
{
    stored = await new HttpIngestSink(options.Url, options.Key!, options.Concurrency).SendAsync(batches, progress);
}
else
{
    var sink = new SqliteDirectSink(options.Data!);
    var projectId = await sink.PrepareAsync(options.Key!, options.Plan);
    stored = await sink.WriteAsync(projectId, batches, progress);
}
progress.Finish();
Console.WriteLine($"Stored {stored:N0} spans of {plan.Sessions:N0} sessions in {progress.Elapsed.TotalSeconds:N1} s (seed {plan.Seed}, end {plan.End:O}).");
return 0;
