namespace ZespanSdk.Tests;

/// <summary>Changes process environment variables, so it never runs alongside other tests that might read them.</summary>
[CollectionDefinition(nameof(EnvironmentDefaultsTests), DisableParallelization = true)]
public sealed class EnvironmentCollection;

[Collection(nameof(EnvironmentDefaultsTests))]
public sealed class EnvironmentDefaultsTests
{
    [Fact]
    public void ApiKeyAndBaseUrl_ComeFromTheEnvironment_WhenNotSet()
    {
        using var _ = new EnvironmentVariables(("ZESPAN_API_KEY", "zsp_from_environment_000000"), ("ZESPAN_BASE_URL", "http://127.0.0.1:6123/"));
        ZespanSettings settings = ZespanSettings.Resolve(new ZespanOptions());

        Assert.Equal("zsp_from_environment_000000", settings.ApiKey);
        Assert.Equal(new Uri("http://127.0.0.1:6123/api/v1/ingest"), settings.IngestUri);
    }

    [Fact]
    public void ExplicitOptions_WinOverTheEnvironment()
    {
        using var _ = new EnvironmentVariables(("ZESPAN_API_KEY", "zsp_from_environment_000000"), ("ZESPAN_BASE_URL", "http://127.0.0.1:6123"));
        ZespanSettings settings = ZespanSettings.Resolve(new ZespanOptions { ApiKey = "zsp_explicit_0000000000000", BaseUrl = "https://zespan.example/base" });

        Assert.Equal("zsp_explicit_0000000000000", settings.ApiKey);
        Assert.Equal(new Uri("https://zespan.example/base/api/v1/ingest"), settings.IngestUri);
    }

    [Fact]
    public void WithNothingSet_DefaultsToLocalhost5080_AndRecordsNothing()
    {
        using var _ = new EnvironmentVariables(("ZESPAN_API_KEY", null), ("ZESPAN_BASE_URL", null));
        using var tracer = new ZespanTracer(new ZespanOptions());

        Assert.Equal(new Uri("http://localhost:5080/api/v1/ingest"), ZespanSettings.Resolve(new ZespanOptions()).IngestUri);
        Assert.False(tracer.IsRecording);
    }

    [Fact]
    public void SampleRateAndCaptureContent_ComeFromTheEnvironment_UnlessSetInCode()
    {
        using var _ = new EnvironmentVariables(("ZESPAN_SAMPLE_RATE", "0.25"), ("ZESPAN_CAPTURE_CONTENT", "off"));
        ZespanSettings fromEnvironment = ZespanSettings.Resolve(new ZespanOptions());
        Assert.Equal(0.25, fromEnvironment.SampleRate);
        Assert.False(fromEnvironment.CaptureContent);

        ZespanSettings fromCode = ZespanSettings.Resolve(new ZespanOptions { SampleRate = 0.5, CaptureContent = true });
        Assert.Equal(0.5, fromCode.SampleRate);
        Assert.True(fromCode.CaptureContent);
    }

    [Theory]
    [InlineData("false", false)]
    [InlineData("0", false)]
    [InlineData("No", false)]
    [InlineData("OFF", false)]
    [InlineData("true", true)]
    [InlineData("yes", true)]
    [InlineData("", true)]
    public void CaptureContentVariable_ReadsTheSpecsBooleans(string value, bool expected)
    {
        using var _ = new EnvironmentVariables(("ZESPAN_CAPTURE_CONTENT", value));
        Assert.Equal(expected, ZespanSettings.Resolve(new ZespanOptions()).CaptureContent);
    }

    [Fact]
    public void EnabledAndDebugVariables_AreTheOperatorsSwitches_WhateverTheCodeSays()
    {
        using var _ = new EnvironmentVariables(("ZESPAN_ENABLED", "false"), ("ZESPAN_DEBUG", "true"));
        ZespanSettings settings = ZespanSettings.Resolve(new ZespanOptions { Enabled = true, Debug = false });
        Assert.False(settings.Enabled);
        Assert.NotNull(settings.DebugLog);
    }

    [Fact]
    public void BadSampleRateVariable_IsRefused_NamingTheVariable()
    {
        using var _ = new EnvironmentVariables(("ZESPAN_SAMPLE_RATE", "lots"));
        ArgumentException refused = Assert.Throws<ArgumentException>(() => ZespanSettings.Resolve(new ZespanOptions()));
        Assert.Contains("ZESPAN_SAMPLE_RATE", refused.Message);
    }

    private sealed class EnvironmentVariables : IDisposable
    {
        private readonly (string Name, string? Value)[] _saved;

        public EnvironmentVariables(params (string Name, string? Value)[] values)
        {
            _saved = values.Select(v => (v.Name, Environment.GetEnvironmentVariable(v.Name))).ToArray();
            foreach ((string name, string? value) in values)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }

        public void Dispose()
        {
            foreach ((string name, string? value) in _saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
