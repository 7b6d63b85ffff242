using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TraceExporter.Configuration;
using TraceExporter.Kernel;
using TraceExporter.Metrics;
using TraceExporter.Probes;
using TraceExporter.Web;

// Not TraceExporter.Cli: a namespace of that name would hide CliWrap's Cli class from every file under TraceExporter.
namespace TraceExporter;

/// <summary>
/// <c>trace-exporter once --duration 60s --textfile PATH</c>: runs the probes for the duration, then writes the
/// metrics page for node_exporter's textfile collector. The page is written to a temporary file in the same
/// directory and renamed over PATH, so the collector never reads half a page. The same probes and supervisor
/// as the daemon, in a host without a web server; no .NET process metrics (they would clash with
/// node_exporter's own <c>process_*</c>).
/// </summary>
public static class OnceCommand
{
    /// <summary>Stopped (SIGTERM/SIGINT) before the duration was over: nothing is written.</summary>
    public const int ExitInterrupted = 1;

    /// <summary>The page could not be written (the message says why); the target is left as it was.</summary>
    public const int ExitNotWritten = 1;

    private static readonly TimeSpan MinimumDuration = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaximumDuration = TimeSpan.FromHours(24);

    public static Command Create()
    {
        var duration = new Option<string>("--duration")
        {
            Description = "How long to run the probes: 500ms, 60s, 5m, 1h (1s to 24h).",
            DefaultValueFactory = _ => "60s",
        };
        var textfile = new Option<string>("--textfile")
        {
            Description = "Where to write the metrics page, e.g. /var/lib/node_exporter/textfile/trace.prom (its directory must exist).",
            Required = true,
        };
        var configFile = new Option<string>("--config.file")
        {
            Description = "Path to the YAML configuration file.",
            DefaultValueFactory = _ => "/etc/trace-exporter/trace-exporter.yaml",
        };
        var logLevel = new Option<string>("--log.level")
        {
            Description = "Only log messages with the given severity or above: debug, info, warn, error.",
            DefaultValueFactory = _ => "warn",
        };
        logLevel.AcceptOnlyFromAmong("debug", "info", "warn", "error");

        var command = new Command("once", "Run the probes for --duration, then write the metrics page to --textfile atomically (node_exporter textfile collector).")
        {
            duration,
            textfile,
            configFile,
            logLevel,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(configFile)!,
            parse.GetValue(duration)!,
            parse.GetValue(textfile)!,
            parse.GetValue(logLevel)!,
            cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(string configFile, string durationText, string textfile, string logLevel, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        TimeSpan? duration = DurationText.TryParse(durationText, out var parsed) ? parsed : null;
        if (duration is null || duration < MinimumDuration || duration > MaximumDuration)
        {
            duration = null;
            errors.Add($"--duration: '{durationText}' must be a duration from 1s to 24h, such as 60s or 5m");
        }

        var target = Path.GetFullPath(textfile);
        var directory = Path.GetDirectoryName(target);
        if (textfile.EndsWith('/') || directory is null || !Directory.Exists(directory))
        {
            errors.Add($"--textfile: '{textfile}' must be a file in an existing directory");
        }

        var config = Startup.LoadConfig(configFile, errors);
        if (errors.Count > 0 || config is null || duration is null)
        {
            foreach (var error in errors)
            {
                await Console.Error.WriteLineAsync($"trace-exporter once: {error}").ConfigureAwait(false);
            }

            return Daemon.ExitConfigError;
        }

        using var launcher = new ChildProcessLauncher();
        if (await Startup.CheckHostAsync(config, launcher, Console.Error, "trace-exporter once: cannot start", cancellationToken).ConfigureAwait(false) is not { } started)
        {
            return Daemon.ExitPrerequisites;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        Daemon.ConfigureLogging(builder.Logging, logLevel);
        var registry = Startup.AddProbes(builder.Services, started, launcher);
        using var app = builder.Build();

        // Start-up returns once every probe is attached (or known not to run here), so the duration measures.
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var stopping = app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var interrupted = CancellationTokenSource.CreateLinkedTokenSource(stopping, cancellationToken);
        var completed = true;
        try
        {
            await Task.Delay(duration.Value, TimeProvider.System, interrupted.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            completed = false;
        }

        // Stopping bpftrace first lets its last map print reach the counters. The page reports the run, so
        // each probe keeps the state it had while running.
        app.Services.GetRequiredService<ProbeStates>().Freeze();
        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);

        if (!completed)
        {
            await Console.Error.WriteLineAsync($"trace-exporter once: stopped before {durationText} were over; {target} left as it was").ConfigureAwait(false);
            return ExitInterrupted;
        }

        var page = await MetricsEndpoint.RenderAsync(registry, app.Services.GetRequiredService<MetricFamilySet>(), CancellationToken.None).ConfigureAwait(false);
        try
        {
            await TextfileWriter.WriteAsync(page, target).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"trace-exporter once: cannot write {target}: {e.Message}").ConfigureAwait(false);
            return ExitNotWritten;
        }

        return 0;
    }
}
