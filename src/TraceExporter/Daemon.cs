using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using TraceExporter.Configuration;
using TraceExporter.Kernel;
using TraceExporter.Metrics;
using TraceExporter.Probes;
using TraceExporter.Web;

namespace TraceExporter;

/// <summary>Command line → checked configuration and prerequisites → host (probes + web).</summary>
public static class Daemon
{
    public const int ExitConfigError = Startup.ExitConfigError;
    public const int ExitPrerequisites = Startup.ExitPrerequisites;

    public static string Version { get; } =
        typeof(Daemon).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static async Task<int> RunAsync(DaemonOptions options, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        if (!ListenAddress.TryParse(options.ListenAddress, out var address, out var addressError))
        {
            errors.Add($"--web.listen-address: {addressError}");
        }

        if (!options.TelemetryPath.StartsWith('/'))
        {
            errors.Add($"--web.telemetry-path: '{options.TelemetryPath}' must start with '/'");
        }

        var config = Startup.LoadConfig(options.ConfigFile, errors);
        var web = WebConfig.None;
        try
        {
            web = options.WebConfigFile is { Length: > 0 } webConfigFile ? WebConfigLoader.Load(webConfigFile) : WebConfig.None;
        }
        catch (ConfigException e)
        {
            errors.AddRange(e.Errors.Select(error => error.ToString()));
        }

        if (errors.Count > 0 || config is null)
        {
            foreach (var error in errors)
            {
                await Console.Error.WriteLineAsync($"trace-exporter: {error}").ConfigureAwait(false);
            }

            return ExitConfigError;
        }

        using var launcher = new ChildProcessLauncher();
        if (await Startup.CheckHostAsync(config, launcher, Console.Error, "trace-exporter: cannot start", cancellationToken).ConfigureAwait(false) is not { } started)
        {
            return ExitPrerequisites;
        }

        var app = BuildApp(options, address!, started, launcher, web);
        await app.RunAsync().ConfigureAwait(false);
        return Environment.ExitCode;
    }

    private static WebApplication BuildApp(DaemonOptions options, ListenAddress address, Startup.Started started, ChildProcessLauncher launcher, WebConfig web)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Host.UseSystemd();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));

        ConfigureLogging(builder.Logging, options.LogLevel);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        var certificate = web.Tls?.LoadCertificate();
        void Secure(Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions listen)
        {
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (address.Host.Length == 0)
            {
                kestrel.ListenAnyIP(address.Port, Secure);
            }
            else if (address.Host == "localhost")
            {
                kestrel.ListenLocalhost(address.Port, Secure);
            }
            else
            {
                kestrel.Listen(System.Net.IPAddress.Parse(address.Host), address.Port, Secure);
            }
        });

        var registry = Startup.AddProbes(builder.Services, started, launcher);
        DotNetStats.Register(registry);
        builder.Services.AddSingleton<ConfigReloader>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ConfigReloader>());

        var app = builder.Build();
        var probes = app.Services.GetRequiredService<ProbeHost>();
        _ = new BpfProgramStats(registry, () => probes.BuiltinProcessId, () => probes.BuiltinPrograms);
        _ = new BpftraceMemory(registry, () => probes.BpftraceProcesses);
        if (web.BasicAuthUsers.Count > 0)
        {
            app.UseMiddleware<WebConfigBasicAuth>(web, new BcryptVerifier(), registry);
        }

        var reloader = app.Services.GetRequiredService<ConfigReloader>();
        var pages = ExporterWeb.Map(app, options, Version, registry, app.Services.GetRequiredService<MetricFamilySet>(), app.Services.GetRequiredService<ProbeStates>(), reloader.ReloadAsync);
        reloader.Attempted += pages.Invalidate;
        return app;
    }

    internal static void ConfigureLogging(ILoggingBuilder logging, string level)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        logging.SetMinimumLevel(level switch
        {
            "debug" => LogLevel.Debug,
            "warn" => LogLevel.Warning,
            "error" => LogLevel.Error,
            _ => LogLevel.Information,
        });
    }
}
