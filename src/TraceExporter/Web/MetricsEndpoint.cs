using System.Text;
using Microsoft.AspNetCore.Http;
using Prometheus;
using TraceExporter.Metrics;

namespace TraceExporter.Web;

/// <summary>
/// The telemetry path: prometheus-net's page (built-in probes, self-metrics, process metrics) followed by
/// the user metric families, which the daemon renders itself, in the Prometheus text format 0.0.4.
/// </summary>
public static class MetricsEndpoint
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static async Task WriteAsync(HttpContext context, CollectorRegistry registry, UserMetricSet userMetrics)
    {
        var page = await RenderAsync(registry, userMetrics, context.RequestAborted).ConfigureAwait(false);
        context.Response.ContentType = ContentType;
        context.Response.ContentLength = page.Length;
        await context.Response.Body.WriteAsync(page, context.RequestAborted).ConfigureAwait(false);
    }

    public static async Task<byte[]> RenderAsync(CollectorRegistry registry, UserMetricSet userMetrics, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(buffer, ExpositionFormat.PrometheusText, cancellationToken).ConfigureAwait(false);
        var user = Encoding.UTF8.GetBytes(userMetrics.Render());
        await buffer.WriteAsync(user, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
