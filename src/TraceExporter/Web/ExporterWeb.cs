using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Prometheus;
using TraceExporter.Configuration;
using TraceExporter.Metrics;
using TraceExporter.Probes;

namespace TraceExporter.Web;

/// <summary>The HTTP surface: <c>/</c>, <c>/healthz</c> and the telemetry path.</summary>
public static class ExporterWeb
{
    public static void Map(WebApplication app, DaemonOptions options, string version, CollectorRegistry registry, UserMetricSet userMetrics, ProbeSupervisor supervisor, ConfigReloader reloader)
    {
        var telemetryPath = options.TelemetryPath;
        app.MapGet(telemetryPath, (HttpContext context) => MetricsEndpoint.WriteAsync(context, registry, userMetrics));

        app.MapGet("/", () => Results.Content(LandingPage.Render(version, telemetryPath, supervisor.States), "text/html; charset=utf-8"));

        if (options.EnableLifecycle)
        {
            app.MapPost("/-/reload", async (CancellationToken cancellationToken) =>
            {
                var errors = await reloader.ReloadAsync(cancellationToken).ConfigureAwait(false);
                return errors.Count == 0
                    ? Results.Text("reloaded\n", "text/plain")
                    : Results.Text("reload refused:\n" + string.Join("\n", errors) + "\n", "text/plain", statusCode: (int)HttpStatusCode.BadRequest);
            });
        }

        app.MapGet("/healthz", () =>
        {
            var states = supervisor.States;
            var notUp = states.Where(s => s.Status != ProbeStatus.Up).ToList();
            if (states.Count > 0 && notUp.Count == 0)
            {
                return Results.Text("ok: every probe is attached\n", "text/plain", statusCode: (int)HttpStatusCode.OK);
            }

            var lines = notUp.Select(s => $"{s.Name}: {s.Status.ToString().ToLowerInvariant()}{(s.Reason is null ? "" : " (" + s.Reason + ")")}");
            return Results.Text("not ready:\n" + string.Join("\n", lines) + "\n", "text/plain", statusCode: (int)HttpStatusCode.ServiceUnavailable);
        });
    }
}
