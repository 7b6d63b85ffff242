using System.Net;
using Microsoft.AspNetCore.Http;
using TraceExporter.Metrics;

namespace TraceExporter.Web;

/// <summary>
/// <c>/healthz</c>: 200 once every probe is attached, 503 otherwise. Served without authentication, so a
/// kubelet's or load balancer's probe works with basic auth on; which probes are not up and why is shown only
/// to an authenticated request (or when there is no authentication).
/// </summary>
public static class HealthEndpoint
{
    private const string PlainText = "text/plain; charset=utf-8";

    public static Task WriteAsync(HttpContext context, IReadOnlyList<ProbeState> states)
    {
        var notUp = states.Where(s => s.Status != ProbeStatus.Up).ToList();
        var healthy = states.Count > 0 && notUp.Count == 0;
        var detail = WebConfigBasicAuth.IsAuthenticated(context);
        context.Response.StatusCode = (int)(healthy ? HttpStatusCode.OK : HttpStatusCode.ServiceUnavailable);
        context.Response.ContentType = PlainText;
        var body = (healthy, detail) switch
        {
            (true, true) => "ok: every probe is attached\n",
            (true, false) => "ok\n",
            (false, true) => "not ready:\n" + string.Join("\n", notUp.Select(s => $"{s.Name}: {s.Status.ToString().ToLowerInvariant()}{(s.Reason is null ? "" : " (" + s.Reason + ")")}")) + "\n",
            (false, false) => "not ready\n",
        };
        return context.Response.WriteAsync(body, context.RequestAborted);
    }
}
