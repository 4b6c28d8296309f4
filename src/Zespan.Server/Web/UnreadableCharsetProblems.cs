using Microsoft.AspNetCore.Diagnostics;

namespace Zespan.Server.Web;

/// <summary>
/// A JSON body whose Content-Type names a charset .NET does not know (<c>application/json; charset=bogus</c>): the
/// framework's JSON binding throws before the endpoint runs, which was a 500 on every endpoint that binds a body
/// (prices, alert rules, session settings). It is the client's error: 415 saying which charset and the fix. Ingestion
/// and OTLP read their bytes themselves and are not affected.
/// </summary>
public sealed class UnreadableCharsetProblems(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // Thrown by HttpRequestJsonExtensions.GetEncodingFromCharset, with Encoding's ArgumentException inside.
        if (exception is not InvalidOperationException { InnerException: ArgumentException, TargetSite.Name: "GetEncodingFromCharset" })
            return false;
        httpContext.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status415UnsupportedMediaType,
                Title = "Unsupported charset",
                Detail = $"The Content-Type \"{httpContext.Request.ContentType}\" names a charset this server cannot read. "
                    + "Send the JSON body as UTF-8: Content-Type: application/json (or application/json; charset=utf-8).",
            },
        });
    }
}
