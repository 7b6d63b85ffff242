using Microsoft.AspNetCore.Http;
using TraceExporter.Web;

namespace TraceExporter.Tests.Web;

/// <summary>POST /-/reload from another site (a form a web page submits in the visitor's browser) is refused.</summary>
public sealed class LifecycleRequestPolicyTests
{
    [Theory]
    [InlineData(null, null, null, 0L, null)] // curl -X POST
    [InlineData("none", null, null, 0L, null)] // typed by the user
    [InlineData("same-origin", "http://127.0.0.1:9439", null, 0L, null)]
    [InlineData(null, "http://127.0.0.1:9439", "application/json", 2L, null)]
    [InlineData(null, null, "text/plain", 0L, null)]
    [InlineData("cross-site", null, null, 0L, 403)]
    [InlineData("same-site", null, null, 0L, 403)]
    [InlineData(null, "http://evil.example", null, 0L, 403)]
    [InlineData(null, "null", null, 0L, 403)]
    [InlineData(null, "https://127.0.0.1:9439", null, 0L, 403)] // another scheme is another origin
    [InlineData(null, "http://127.0.0.1:9440", null, 0L, 403)]
    [InlineData(null, null, "application/x-www-form-urlencoded", 0L, 415)]
    [InlineData(null, null, "multipart/form-data; boundary=x", 10L, 415)]
    [InlineData(null, null, "text/plain; charset=utf-8", 5L, 415)]
    [InlineData(null, null, "Application/X-WWW-Form-Urlencoded", 3L, 415)]
    public void A_reload_request_is_refused_only_when_a_web_page_of_another_site_could_have_sent_it(string? fetchSite, string? origin, string? contentType, long length, int? status)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("127.0.0.1:9439");
        if (fetchSite is not null)
        {
            context.Request.Headers["Sec-Fetch-Site"] = fetchSite;
        }

        if (origin is not null)
        {
            context.Request.Headers.Origin = origin;
        }

        context.Request.ContentType = contentType;
        context.Request.ContentLength = length;

        Assert.Equal(status, LifecycleRequestPolicy.Refusal(context.Request)?.Status);
    }
}
