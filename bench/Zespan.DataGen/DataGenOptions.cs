using System.Globalization;
using Zespan.Core.Projects;

namespace Zespan.DataGen;

/// <summary>Command-line options; every refusal names the option and what it accepts.</summary>
public sealed record DataGenOptions
{
    public string Target { get; init; } = "http";
    public Uri Url { get; init; } = new("http://localhost:5080/");
    public string? Key { get; init; } = Environment.GetEnvironmentVariable("ZESPAN_API_KEY");
    public string? Data { get; init; }
    public int Concurrency { get; init; } = 4;
    public int Batch { get; init; } = 500;
    public Plan Plan { get; init; } = Plan.Scale;
    public GenerationPlan Generation { get; init; } = new();

    public const string Usage = """
        Zespan data generator: realistic, seeded LLM traffic (sessions, nested spans, errors, tags, metadata, pathological sessions).

          dotnet Zespan.DataGen.dll [http] --url http://127.0.0.1:5080 --key zsp_... [options]   post through POST /api/v1/ingest
          dotnet Zespan.DataGen.dll sqlite --data <folder> --key zsp_... [options]               write straight into <folder>/zespan.db

        Options:
          --seed N          random seed (default 42); the same seed and --end give the same spans
          --users N         distinct end users (default 5000)
          --sessions N      conversations to generate (default 2000); about 9.5 LLM calls each plus retrieval and tool spans
          --days N          spread session starts over the N days before --end (default 13, inside the Free plan's 14-day retention)
          --end ISO8601     latest timestamp (default: the current UTC hour)
          --payload short|none  prompt/completion text on LLM spans (default short)
          --ids ordered|random  ids that grow with the session number (default), or hex hashes as SDKs send them
          --concurrency N   requests in flight (http, default 4)
          --batch N         spans per request or per write transaction (default 500; sqlite uses 9000 unless given)
          --plan NAME       plan of the organisation created on an empty database (sqlite, default scale)
        """;

    public static DataGenOptions Parse(string[] args)
    {
        var options = new DataGenOptions();
        var generation = new GenerationPlan();
        var batchGiven = false;
        var i = 0;
        if (args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal))
        {
            options = options with { Target = args[0] is "http" or "sqlite" ? args[0] : throw new ArgumentException($"Unknown target \"{args[0]}\"; use http or sqlite.") };
            i = 1;
        }
        for (; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            int Int() => int.TryParse(Value(), out var v) && v > 0 ? v : throw new ArgumentException($"{name} must be a positive whole number.");
            switch (name)
            {
                case "--url": options = options with { Url = new Uri(Value().TrimEnd('/') + "/") }; break;
                case "--key": options = options with { Key = Value() }; break;
                case "--data": options = options with { Data = Value() }; break;
                case "--concurrency": options = options with { Concurrency = Int() }; break;
                case "--batch": options = options with { Batch = Int() }; batchGiven = true; break;
                case "--plan": options = options with { Plan = PlanRetention.TryParse(Value(), out var p) ? p : throw new ArgumentException("--plan must be free, solo, pro, team or scale.") }; break;
                case "--seed": generation = generation with { Seed = Int() }; break;
                case "--users": generation = generation with { Users = Int() }; break;
                case "--sessions": generation = generation with { Sessions = Int() }; break;
                case "--days": generation = generation with { Days = double.Parse(Value(), CultureInfo.InvariantCulture) }; break;
                case "--end": generation = generation with { End = DateTimeOffset.Parse(Value(), CultureInfo.InvariantCulture) }; break;
                case "--ids": generation = generation with { RandomIds = GenerationPlan.ParseRandomIds(Value()) }; break;
                case "--payload": generation = generation with { Payload = Value() == "none" ? PayloadSize.None : PayloadSize.Short }; break;
                default: throw new ArgumentException($"Unknown option {name}.");
            }
        }
        if (options.Target == "sqlite" && !batchGiven)
            options = options with { Batch = 9_000 }; // under BatchParser.MaxBatchItems, since batches go through the server's parser
        if (options.Key is null)
            throw new ArgumentException("Pass --key zsp_... (or set ZESPAN_API_KEY): the project key to post with, or to create on an empty database.");
        if (options.Target == "sqlite" && options.Data is null)
            throw new ArgumentException("sqlite needs --data <folder> (the server's ZESPAN_DATA).");
        return options with { Generation = generation };
    }
}
