using Microsoft.Extensions.DependencyInjection;
using Prometheus;
using TraceExporter.Configuration;
using TraceExporter.Kernel;
using TraceExporter.Metrics;
using TraceExporter.Probes;

namespace TraceExporter;

/// <summary>
/// The one start-up path of the daemon, <c>once</c> and <c>check</c>: the configuration is read (every mistake
/// at once), then what must be true before any probe can run is checked (one line each), then the host's
/// facts are gathered; each command goes on from a <see cref="Started"/>.
/// </summary>
public static class Startup
{
    public const int ExitConfigError = 2;
    public const int ExitPrerequisites = 3;

    /// <summary>
    /// A cgroup id the daemon does not know yet makes it walk the cgroup2 tree, at most this often: a walk of
    /// 10,000 cgroups takes about 270 ms here, so a flood of new ids costs at most ~5 % of a core.
    /// </summary>
    public static readonly TimeSpan CgroupWalkInterval = CgroupResolver.DefaultMinimumWalkInterval;

    /// <summary>A configuration that loaded, on a host that can run probes.</summary>
    public sealed record Started(ExporterConfig Config, HostFacts Host, Version BpftraceVersion);

    /// <summary>The configuration, or null with every mistake added to <paramref name="errors"/>.</summary>
    public static ExporterConfig? LoadConfig(string path, List<string> errors)
    {
        try
        {
            return ConfigLoader.Load(path);
        }
        catch (ConfigException e)
        {
            errors.AddRange(e.Errors.Select(error => error.ToString()));
            return null;
        }
    }

    /// <summary>Checks the prerequisites; null (each problem written as <c>PREFIX: cannot start: …</c>) when one is missing.</summary>
    public static async Task<Started?> CheckHostAsync(ExporterConfig config, ChildProcessLauncher launcher, TextWriter errors, string prefix, CancellationToken cancellationToken)
    {
        var host = HostFacts.Discover(cgroup2Mount: config.Cgroups.Mount);
        var prerequisites = await Prerequisites.CheckAsync(launcher, config.Bpftrace.Path, host, cancellationToken).ConfigureAwait(false);
        if (prerequisites.Problems.Count > 0)
        {
            foreach (var problem in prerequisites.Problems)
            {
                await errors.WriteLineAsync($"{prefix}: {problem}").ConfigureAwait(false);
            }

            return null;
        }

        var raw = await RawTracepoints.DiscoverAsync(launcher, config.Bpftrace, prerequisites.BpftraceVersion!, cancellationToken).ConfigureAwait(false);
        return new Started(config, host.WithRawTracepoints(raw.Names, raw.Reason), prerequisites.BpftraceVersion!);
    }

    /// <summary>The probes, their metrics and the host that runs them: the daemon's and <c>once</c>'s alike.</summary>
    public static CollectorRegistry AddProbes(IServiceCollection services, Started started, ChildProcessLauncher launcher)
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var self = new SelfMetrics(registry);
        self.BuildInfo.WithLabels(Daemon.Version, started.BpftraceVersion.ToString(), Environment.Version.ToString()).Set(1);

        services.AddSingleton(started.Config);
        services.AddSingleton(started.Host);
        services.AddSingleton(registry);
        services.AddSingleton(self);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(launcher);
        services.AddSingleton(new BpftraceInfo(started.BpftraceVersion));
        services.AddSingleton<MetricFamilySet>();
        services.AddSingleton<ProbeStates>();
        services.AddSingleton(new CgroupSweeper(
            started.Host.Cgroup2 is { } cgroup2 ? new CgroupNames(new CgroupResolver(cgroup2.MountPoint, CgroupWalkInterval, TimeProvider.System)) : null,
            started.Config.Cgroups.SeriesGrace,
            TimeProvider.System));
        services.AddSingleton(new Strace.StraceMetrics(registry));
        services.AddSingleton<ProbeHost>();
        services.AddHostedService(sp => sp.GetRequiredService<ProbeHost>());
        return registry;
    }
}
