using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace TraceExporter.Web;

/// <summary>
/// Which <c>POST /-/reload</c> requests are refused because a web page of another site could have sent them. A
/// browser sends a form POST ("simple request") across sites without asking first, so such a page could make
/// any visitor's browser reload the exporter. Refused: a request whose <c>Sec-Fetch-Site</c> says it comes from
/// another site (<c>cross-site</c>, <c>same-site</c>: only <c>same-origin</c> and <c>none</c>, a request typed
/// by the user or made by a tool, pass), or whose <c>Origin</c> is not this exporter's own (scheme, host and port
/// of the request); and a body a form could send: <c>application/x-www-form-urlencoded</c>,
/// <c>multipart/form-data</c>, or <c>text/plain</c> with a body. <c>curl -X POST URL</c> sends none of these.
/// </summary>
public static class LifecycleRequestPolicy
{
    /// <summary>Null when the request may reload; otherwise the status and why.</summary>
    public static (int Status, string Reason)? Refusal(HttpRequest request)
    {
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0 && fetchSite is not ("same-origin" or "none"))
        {
            return (StatusCodes.Status403Forbidden, $"refused: the request comes from another site (Sec-Fetch-Site: {fetchSite})");
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !IsOwnOrigin(origin, request))
        {
            return (StatusCodes.Status403Forbidden, $"refused: the request comes from another origin ({origin})");
        }

        if (request.ContentType is { Length: > 0 } contentType && MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            var type = media.MediaType.Value?.ToLowerInvariant();
            var hasBody = request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
            if (type is "application/x-www-form-urlencoded" or "multipart/form-data" || (type == "text/plain" && hasBody))
            {
                return (StatusCodes.Status415UnsupportedMediaType, $"refused: a {type} body is what a web form sends; use curl -X POST without a body");
            }
        }

        return null;
    }

    private static bool IsOwnOrigin(string origin, HttpRequest request) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
}
