using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Prometheus;
using TraceExporter.Metrics;

namespace TraceExporter.Web;

/// <summary>
/// The HTTP surface: <c>/</c>, <c>/healthz</c> and the telemetry path. Handlers are plain
/// <see cref="RequestDelegate"/>s: minimal-API parameter binding would load and compile expression trees
/// (several MB of resident memory) for four fixed pages.
/// </summary>
public static class ExporterWeb
{
    private const string PlainText = "text/plain; charset=utf-8";

    /// <param name="reload">Re-reads the configuration; returns the errors that made it fail (empty: applied).</param>
    /// <returns>The page cache, for whoever must show a change at once (<see cref="MetricsPageCache.Invalidate"/>).</returns>
    public static MetricsPageCache Map(WebApplication app, DaemonOptions options, string version, CollectorRegistry registry, MetricFamilySet families, ProbeStates probes, Func<CancellationToken, Task<IReadOnlyList<string>>> reload)
    {
        var telemetryPath = options.TelemetryPath;
        var pages = new MetricsPageCache(async cancellation => new RenderedPage(await MetricsEndpoint.RenderAsync(registry, families, cancellation).ConfigureAwait(false)), TimeProvider.System);
        app.MapGet(telemetryPath, context => MetricsEndpoint.WriteAsync(context, pages));

        app.MapGet("/", context => WriteAsync(context, HttpStatusCode.OK, "text/html; charset=utf-8", LandingPage.Render(version, telemetryPath, probes.All)));

        if (options.EnableLifecycle)
        {
            app.MapPost("/-/reload", async context =>
            {
                if (LifecycleRequestPolicy.Refusal(context.Request) is { } refusal)
                {
                    await WriteAsync(context, (HttpStatusCode)refusal.Status, PlainText, refusal.Reason + "\n").ConfigureAwait(false);
                    return;
                }

                var errors = await reload(context.RequestAborted).ConfigureAwait(false);
                await (errors.Count == 0
                    ? WriteAsync(context, HttpStatusCode.OK, PlainText, "reloaded\n")
                    : WriteAsync(context, HttpStatusCode.BadRequest, PlainText, "reload refused:\n" + string.Join("\n", errors) + "\n")).ConfigureAwait(false);
            });
        }

        app.MapGet("/healthz", context => HealthEndpoint.WriteAsync(context, probes.All));
        return pages;
    }

    private static Task WriteAsync(HttpContext context, HttpStatusCode status, string contentType, string body)
    {
        context.Response.StatusCode = (int)status;
        context.Response.ContentType = contentType;
        return context.Response.WriteAsync(body, context.RequestAborted);
    }
}
