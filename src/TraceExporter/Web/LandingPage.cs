using System.Net;
using System.Text;
using TraceExporter.Metrics;

namespace TraceExporter.Web;

/// <summary>The small HTML page at <c>/</c>: what this exporter is, where its metrics are, and each probe's state.</summary>
public static class LandingPage
{
    public static string Render(string version, string telemetryPath, IReadOnlyList<ProbeState> probes)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>TraceExporter</title></head><body>\n")
            .Append("<h1>TraceExporter ").Append(WebUtility.HtmlEncode(version)).Append("</h1>\n")
            .Append("<p>bpftrace probes as Prometheus metrics: <a href=\"").Append(WebUtility.HtmlEncode(telemetryPath))
            .Append("\">").Append(WebUtility.HtmlEncode(telemetryPath)).Append("</a> · <a href=\"/healthz\">/healthz</a></p>\n")
            .Append("<table border=\"1\" cellpadding=\"4\"><tr><th>probe</th><th>source</th><th>attach type</th><th>attached to</th><th>state</th><th>reason</th></tr>\n");
        foreach (var probe in probes)
        {
            html.Append("<tr><td>").Append(WebUtility.HtmlEncode(probe.Name))
                .Append("</td><td>").Append(WebUtility.HtmlEncode(probe.Source))
                .Append("</td><td>").Append(WebUtility.HtmlEncode(probe.AttachType))
                .Append("</td><td>").Append(WebUtility.HtmlEncode(probe.Attach))
                .Append("</td><td>").Append(probe.Status.ToString().ToLowerInvariant())
                .Append("</td><td>").Append(WebUtility.HtmlEncode(probe.Reason ?? ""))
                .Append("</td></tr>\n");
        }

        return html.Append("</table>\n</body></html>\n").ToString();
    }
}
