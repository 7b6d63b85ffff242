using System.Text;
using Microsoft.AspNetCore.Http;
using Prometheus;
using TraceExporter.Metrics;

namespace TraceExporter.Web;

/// <summary>
/// The telemetry path: prometheus-net's page (self-metrics, process metrics) followed by the probes' metric
/// families (built-in and user alike), which the daemon renders itself, in the Prometheus text format 0.0.4.
/// </summary>
public static class MetricsEndpoint
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static async Task WriteAsync(HttpContext context, MetricsPageCache pages)
    {
        var page = await pages.GetAsync().WaitAsync(context.RequestAborted).ConfigureAwait(false);
        var response = context.Response;
        response.ContentType = ContentType;
        response.Headers.Vary = "Accept-Encoding";
        var body = page.Text;
        if (AcceptsGzip(context.Request))
        {
            response.Headers.ContentEncoding = "gzip";
            body = page.Gzip;
        }

        response.ContentLength = body.Count;
        await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>gzip is listed in Accept-Encoding without q=0 (RFC 9110 12.5.3), as Prometheus sends it.</summary>
    public static bool AcceptsGzip(HttpRequest request) =>
        request.GetTypedHeaders().AcceptEncoding.Any(e =>
            string.Equals(e.Value.Value, "gzip", StringComparison.OrdinalIgnoreCase) && e.Quality is not 0);

    private static int _lastLength = 64 * 1024;

    /// <summary>
    /// The page, written straight into one buffer sized like the last page: no page-sized string or copy in
    /// between (with 10,000 series each would be megabytes of large-object garbage per render).
    /// </summary>
    public static async Task<ArraySegment<byte>> RenderAsync(CollectorRegistry registry, MetricFamilySet families, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream(Volatile.Read(ref _lastLength) + (Volatile.Read(ref _lastLength) / 8));
        await registry.CollectAndExportAsTextAsync(buffer, ExpositionFormat.PrometheusText, cancellationToken).ConfigureAwait(false);
        var writer = new StreamWriter(buffer, Utf8, 16 * 1024, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            families.Render(writer);
        }

        Volatile.Write(ref _lastLength, (int)buffer.Length);
        return new ArraySegment<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
}
