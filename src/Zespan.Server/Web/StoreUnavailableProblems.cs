using Microsoft.AspNetCore.Diagnostics;
using Zespan.Core.Storage;

namespace Zespan.Server.Web;

/// <summary>
/// A request the store could not answer (<see cref="StoreUnavailableException"/>: unreachable, or stopped at one of its
/// limits) gets 503 with Retry-After and problem details saying so, instead of an anonymous 500: a client can retry, and
/// a person learns that a narrower time range may answer. The store's own message is logged, not sent.
/// </summary>
public sealed class StoreUnavailableProblems(IProblemDetailsService problems, ILogger<StoreUnavailableProblems> logger) : IExceptionHandler
{
    public const string Title = "Storage unavailable";

    public const string Detail = "The store could not answer this request in time or within its limits; nothing is wrong with the request. "
        + "Retry after the Retry-After delay, or ask for a shorter time range.";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not StoreUnavailableException)
            return false;
        logger.LogWarning(exception, "The store did not answer {Method} {Path}.", httpContext.Request.Method, httpContext.Request.Path);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = "5";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Title = Title, Detail = Detail },
        });
    }
}
