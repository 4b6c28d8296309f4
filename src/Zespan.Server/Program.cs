using Zespan.Server.Alerts;
using Zespan.Server.Api;
using Zespan.Server.Auth;
using Zespan.Server.Cli;
using Zespan.Server.Components.Export;
using Zespan.Server.Configuration;
using Zespan.Server.Ingestion;
using Zespan.Server.Routing;
using Zespan.Server.Otlp;
using Zespan.Server.Setup;
using Zespan.Server.Web;

if (CommandLine.IsCommand(args))
    return await CommandLine.RunAsync(args, Console.Out, Console.Error);
if (ServerArguments.Problem(args) is { } argumentProblem)
{
    await Console.Error.WriteLineAsync(argumentProblem);
    return 2;
}

// No config reload on change: its file watcher covers the content root, which holds the default data folder when the
// server runs from the current directory, and would wake on every SQLite WAL write (~3 % CPU in a profile).
var builder = WebApplication.CreateBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]);
// Serve wwwroot from the build output in every environment, not only Development: `dotnet run` and
// scripts/build-server.sh run unpublished builds in Production, where the assets would otherwise be missing.
builder.WebHost.UseStaticWebAssets();
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
    builder.WebHost.UseUrls("http://localhost:5080");

var options = ZespanServerOptions.FromConfiguration(builder.Configuration);
builder.Services.AddZespan(options);
builder.Services.AddZespanAlerts(builder.Configuration);
builder.Services.AddExceptionHandler<StoreUnavailableProblems>();
builder.Services.AddExceptionHandler<UnreadableCharsetProblems>();
builder.Services.AddProblemDetails();
builder.Services.AddOpenApi(ApiDocs.Configure);
builder.Services.AddRazorComponents();
builder.Services.AddSecureAntiforgeryCookie();

var app = builder.Build();
app.UseExceptionHandler();
app.UseSecurityHeaders();
app.UseStatusCodePages();
app.UsePageIdRedirect();
app.UseRouting();
app.UseMachineNotFound();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseAntiforgery();
app.UseEncodedIdSegments();

app.MapGet("/health", () => Results.Ok(new { status = "ok" })).WithName("Health").AllowAnonymous().DescribeHealth();
app.MapOpenApi().RequireAuthorization(ServiceRegistration.ApiDocumentPolicy);
app.MapStaticAssets().AllowAnonymous();
app.MapAccountEndpoints();
app.MapSessionsCsvExport();
app.MapRazorComponents<Zespan.Server.Components.App>().RequireAuthorization(Zespan.Server.Auth.UiAuthentication.Policy);

var api = app.MapGroup("/api/v1").RequireAuthorization(Zespan.Server.Auth.ApiKeyAuthenticationHandler.SchemeName).Refuses(401, ApiDocs.MissingKey)
    .Refuses(503, ApiDocs.StoreUnavailable);
api.MapIngestEndpoints();
api.MapSessionInsightsEndpoints();
api.MapSessionsEndpoints();
api.MapTracesEndpoints();
api.MapCostsEndpoints();
api.MapPricesEndpoints();
api.MapAlertsEndpoints();
api.MapSessionSettingsEndpoints();
app.MapOtlpEndpoints();

await app.Services.InitializeStorageAsync();
var firstRun = await app.Services.GetRequiredService<FirstRunSetup>().RunAsync();
StartupBanner.PrintWhenStarted(app, firstRun, options);
try
{
    await app.RunAsync();
}
catch (FormatException invalid) when (invalid.Message.StartsWith("Invalid url", StringComparison.Ordinal))
{
    // Kestrel's own words for an address it cannot read (`--urls notaurl`), without the stack trace it printed before.
    await Console.Error.WriteLineAsync($"{invalid.Message} (--urls or ASPNETCORE_URLS): give addresses such as http://0.0.0.0:8080, several separated by ';'.");
    return 2;
}
return 0;

/// <summary>Entry point, public so WebApplicationFactory tests can host the app.</summary>
public partial class Program;
