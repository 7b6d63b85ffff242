using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TraceExporter.Configuration;
using TraceExporter.Kernel;
using TraceExporter.Metrics;
using TraceExporter.Probes;
using TraceExporter.Strace;

namespace TraceExporter.Tests.Probes;

/// <summary>A reload that fails says why in the log and on the metric; it never throws (a SIGHUP has no one to catch it).</summary>
public sealed class ConfigReloaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("te-reload-").FullName;

    [Theory]
    [InlineData("interval: 999999999h\n", "interval must be between 100ms and 1h")]
    [InlineData("interval: 5s\nscrape: 1\nbpftrace: []\n", "unknown key 'scrape'")]
    public async Task A_refused_reload_logs_every_error_and_returns_them(string yaml, string expected)
    {
        var path = Path.Combine(_dir, "te.yaml");
        await File.WriteAllTextAsync(path, "interval: 5s\n");
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var self = new SelfMetrics(registry);
        var logger = new CapturingLogger<ConfigReloader>();
        using var launcher = new ChildProcessLauncher();
        var config = ConfigLoader.Load(path);
        using var probes = new ProbeHost(
            config, HostFacts.Discover("/nonexistent", "/nonexistent"), launcher, self, new MetricFamilySet(), new ProbeStates(self), new BpftraceInfo(new Version(0, 17)),
            new StraceMetrics(registry), TimeProvider.System, NullLogger<ProbeHost>.Instance);
        using var reloader = new ConfigReloader(config, probes, self, TimeProvider.System, logger);
        await File.WriteAllTextAsync(path, yaml);

        var errors = await reloader.ReloadAsync(CancellationToken.None);

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
        Assert.All(errors, e => Assert.Contains(logger.Entries, l => l.Level == LogLevel.Error && l.Message.Contains(e, StringComparison.Ordinal)));
        Assert.Equal(0, self.ReloadSuccessful.Value);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
