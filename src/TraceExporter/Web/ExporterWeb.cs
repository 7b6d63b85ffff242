using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Prometheus;
using TraceExporter.Configuration;
using TraceExporter.Metrics;
using TraceExporter.Probes;

namespace TraceExporter.Web;

/// <summary>
/// The HTTP surface: <c>/</c>, <c>/healthz</c> and the telemetry path. Handlers are plain
/// <see cref="RequestDelegate"/>s: minimal-API parameter binding would load and compile expression trees
/// (several MB of resident memory) for four fixed pages.
/// </summary>
public static class ExporterWeb
{
    private const string PlainText = "text/plain; charset=utf-8";

    public static void Map(WebApplication app, DaemonOptions options, string version, CollectorRegistry registry, UserMetricSet userMetrics, ProbeSupervisor supervisor, ConfigReloader reloader)
    {
        var telemetryPath = options.TelemetryPath;
        var pages = new MetricsPageCache(async cancellation => new RenderedPage(await MetricsEndpoint.RenderAsync(registry, userMetrics, cancellation).ConfigureAwait(false)), TimeProvider.System);
        reloader.Attempted += pages.Invalidate;
        app.MapGet(telemetryPath, context => MetricsEndpoint.WriteAsync(context, pages));

        app.MapGet("/", context => WriteAsync(context, HttpStatusCode.OK, "text/html; charset=utf-8", LandingPage.Render(version, telemetryPath, supervisor.States)));

        if (options.EnableLifecycle)
        {
            app.MapPost("/-/reload", async context =>
            {
                if (LifecycleRequestPolicy.Refusal(context.Request) is { } refusal)
                {
                    await WriteAsync(context, (HttpStatusCode)refusal.Status, PlainText, refusal.Reason + "\n").ConfigureAwait(false);
                    return;
                }

                var errors = await reloader.ReloadAsync(context.RequestAborted).ConfigureAwait(false);
                await (errors.Count == 0
                    ? WriteAsync(context, HttpStatusCode.OK, PlainText, "reloaded\n")
                    : WriteAsync(context, HttpStatusCode.BadRequest, PlainText, "reload refused:\n" + string.Join("\n", errors) + "\n")).ConfigureAwait(false);
            });
        }

        app.MapGet("/healthz", context => HealthEndpoint.WriteAsync(context, supervisor.States));
    }

    private static Task WriteAsync(HttpContext context, HttpStatusCode status, string contentType, string body)
    {
        context.Response.StatusCode = (int)status;
        context.Response.ContentType = contentType;
        return context.Response.WriteAsync(body, context.RequestAborted);
    }
}
