using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Prometheus;
using TraceExporter.Probes;

namespace TraceExporter.Web;

/// <summary>The HTTP surface: <c>/</c>, <c>/healthz</c> and the telemetry path.</summary>
public static class ExporterWeb
{
    public static void Map(WebApplication app, string telemetryPath, string version, CollectorRegistry registry, ProbeSupervisor supervisor)
    {
        app.MapMetrics(telemetryPath, registry);

        app.MapGet("/", () => Results.Content(LandingPage.Render(version, telemetryPath, supervisor.States), "text/html; charset=utf-8"));

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
