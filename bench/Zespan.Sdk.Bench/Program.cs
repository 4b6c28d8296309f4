using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using ZespanSdk.Bench;

// `--paired`: caller-thread CPU and allocations, robust to a busy machine (see PairedCpuHarness).
if (args.Contains("--paired"))
{
    await PairedCpuHarness.RunAsync(runs: 5, blocks: 10, callsPerBlock: 100);
    return;
}

// Five separate processes ("launches") per benchmark, ten measured iterations each: the reported Median is
// over all 50 iterations of the five runs. Two cores only, so no concurrent benchmarks.
IConfig config = DefaultConfig.Instance
    .AddJob(Job.Default.WithLaunchCount(5).WithWarmupCount(5).WithIterationCount(10).WithId("5x10"))
    .AddColumn(StatisticColumn.Median, StatisticColumn.P90)
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);

BenchmarkSwitcher.FromAssembly(typeof(CompleteChatOverheadBenchmarks).Assembly).Run(args, config);
