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
    public const int ExitConfigError = 2;
    public const int ExitPrerequisites = 3;

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

        ExporterConfig? config = null;
        try
        {
            config = ConfigLoader.Load(options.ConfigFile);
        }
        catch (ConfigException e)
        {
            errors.AddRange(e.Errors.Select(error => error.ToString()));
        }

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
        var host = HostFacts.Discover();
        var prerequisites = await Prerequisites.CheckAsync(launcher, config.Bpftrace.Path, host, cancellationToken).ConfigureAwait(false);
        if (prerequisites.Problems.Count > 0)
        {
            foreach (var problem in prerequisites.Problems)
            {
                await Console.Error.WriteLineAsync($"trace-exporter: cannot start: {problem}").ConfigureAwait(false);
            }

            return ExitPrerequisites;
        }

        var app = BuildApp(options, address!, config, host, launcher, prerequisites.BpftraceVersion!, web);
        await app.RunAsync().ConfigureAwait(false);
        return Environment.ExitCode;
    }

    private static WebApplication BuildApp(DaemonOptions options, ListenAddress address, ExporterConfig config, HostFacts host, ChildProcessLauncher launcher, Version bpftraceVersion, WebConfig web)
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

        var registry = AddProbes(builder.Services, config, host, launcher, bpftraceVersion);
        DotNetStats.Register(registry);
        builder.Services.AddSingleton<ConfigReloader>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ConfigReloader>());

        var app = builder.Build();
        var supervisor = app.Services.GetRequiredService<ProbeSupervisor>();
        _ = new BpfProgramStats(registry, () => supervisor.BuiltinProcessId, () => supervisor.BuiltinPrograms);
        _ = new BpftraceMemory(registry, () => supervisor.BpftraceProcesses);
        if (web.BasicAuthUsers.Count > 0)
        {
            app.UseMiddleware<WebConfigBasicAuth>(web, new BcryptVerifier(), registry);
        }

        ExporterWeb.Map(app, options, Version, registry, app.Services.GetRequiredService<UserMetricSet>(), app.Services.GetRequiredService<ProbeSupervisor>(), app.Services.GetRequiredService<ConfigReloader>());
        return app;
    }

    /// <summary>The probes, their metrics and the supervisor that runs them: the daemon's and <c>once</c>'s alike.</summary>
    internal static CollectorRegistry AddProbes(IServiceCollection services, ExporterConfig config, HostFacts host, ChildProcessLauncher launcher, Version bpftraceVersion)
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var self = new SelfMetrics(registry);
        self.BuildInfo.WithLabels(Version, bpftraceVersion.ToString(), Environment.Version.ToString()).Set(1);

        services.AddSingleton(config);
        services.AddSingleton(host);
        services.AddSingleton(registry);
        services.AddSingleton(self);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(launcher);
        services.AddSingleton(new BpftraceInfo(bpftraceVersion));
        services.AddSingleton<UserMetricSet>();
        services.AddSingleton(new Strace.StraceMetrics(registry));
        services.AddSingleton<ProbeSupervisor>();
        services.AddHostedService(sp => sp.GetRequiredService<ProbeSupervisor>());
        return registry;
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
