using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Zespan.Core.Ingestion;
using Zespan.Core.Pricing;
using Zespan.Core.Storage;
using Zespan.Server.Auth;
using Zespan.Server.Ingestion;
using Zespan.Server.Retention;
using Zespan.Server.Setup;

namespace Zespan.Server.Configuration;

/// <summary>Wires Zespan's services: storage (see <see cref="StorageRegistration"/>), ingestion, pricing and API-key authentication.</summary>
public static class ServiceRegistration
{
    public const string ApiDocumentPolicy = "ApiDocument";

    // Picks one scheme per request, so an anonymous caller is challenged once: 401 for API clients, the login page for browsers.
    private const string KeyOrLoginScheme = "KeyOrLogin";

    public static IServiceCollection AddZespan(this IServiceCollection services, ZespanServerOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);

        services.AddZespanStorage(options);
        services.AddRetention();

        services.AddSingleton(ModelPriceTable.LoadBuiltIn());
        services.AddSingleton<PriceResolver>();
        services.AddSingleton<ProjectPriceCache>();
        services.AddSingleton<SpanPricer>();
        services.AddSingleton<Zespan.Core.Sessions.Anomalies.IAnomalyDetector, Zespan.Core.Sessions.Anomalies.AnomalyDetector>();
        services.AddSingleton<SpanParser>();
        services.AddSingleton<BatchParser>();
        services.AddSingleton<IngestService>();
        services.AddSingleton<Zespan.Server.Otlp.OtlpLogContent>();
        services.AddSingleton<ProjectPlans>();
        services.AddSingleton<Zespan.Server.Sessions.SessionActivitySync>();
        services.AddSingleton<IngestionPipeline>();
        services.AddSingleton(new IngestByteBudget(options.IngestBudgetBytes));
        services.AddHostedService(sp => sp.GetRequiredService<IngestionPipeline>());
        services.AddSingleton<FirstRunSetup>();

        // A trace's spans carry payloads nested up to IngestLimits.MaxPayloadDepth inside the response object;
        // the serializer's default depth (64) would fail GET /traces/{id} with a 500 for such a span.
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.MaxDepth = IngestLimits.MaxPayloadDepth + 16);

        services.AddSingleton<ApiKeyResolver>();
        services.AddSingleton<ProjectAccess>();
        services.AddLoginRateLimiting();
        services.AddAuthentication(UiAuthentication.Scheme)
            .AddUiCookie()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            // A key when one is sent; the login when a browser asks (a page, or a cookie): so a browser is sent to the login
            // page, and a machine without credentials gets the key's 401 problem, never a redirect.
            .AddPolicyScheme(KeyOrLoginScheme, "API key or UI login", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.Count == 0 && (context.Request.Cookies.ContainsKey(UiAuthentication.CookieName) || Api.MachineNotFound.AsksForHtml(context.Request))
                    ? UiAuthentication.Scheme
                    : ApiKeyAuthenticationHandler.SchemeName);
        var uiPolicy = new AuthorizationPolicyBuilder(UiAuthentication.Scheme).RequireAuthenticatedUser().RequireClaim(ApiKeyAuthenticationHandler.ProjectClaim).Build();
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiKeyAuthenticationHandler.SchemeName, policy => policy
                .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireClaim(ApiKeyAuthenticationHandler.ProjectClaim))
            .AddPolicy(UiAuthentication.Policy, uiPolicy)
            // The API description: for anyone holding a project key or a UI login, as the issue allows only login and health to be open.
            .AddPolicy(ApiDocumentPolicy, policy => policy
                .AddAuthenticationSchemes(KeyOrLoginScheme)
                .RequireAuthenticatedUser())
            // Anything mapped without its own rule needs a logged-in user: a new endpoint is never open by accident.
            .SetFallbackPolicy(uiPolicy);
        // A bad request (a missing antiforgery token, an unreadable form) is the client's error: answer 400, not 500.
        services.Configure<Microsoft.AspNetCore.Builder.ExceptionHandlerOptions>(o =>
            o.StatusCodeSelector = error => error is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError);
        return services;
    }
}
