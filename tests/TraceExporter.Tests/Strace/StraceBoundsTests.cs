using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;
using TraceExporter.Configuration;
using TraceExporter.Probes;
using TraceExporter.Strace;

namespace TraceExporter.Tests.Strace;

/// <summary>What a traced program (or any user naming a process like the target) can make a strace probe cost is bounded.</summary>
public sealed class StraceBoundsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("te-strace-bounds-").FullName;

    [Theory]
    [InlineData("syscall_0x1b3", "other")]
    [InlineData("Openat", "other")]
    [InlineData("open at", "other")]
    [InlineData("openat", "openat")]
    [InlineData("landlock_create_ruleset", "landlock_create_ruleset")]
    public async Task Syscall_labels_are_real_syscall_names_or_other(string syscall, string label)
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        new StraceMetrics(registry).Count("p", new SyscallEvent(1, syscall, SyscallOutcome.Error, "ENOENT", null));

        var text = await ExpositionAsync(registry);

        Assert.Contains($"trace_syscalls_total{{probe=\"p\",syscall=\"{label}\",result=\"error\"}} 1", text, StringComparison.Ordinal);
        Assert.Contains($"trace_syscall_errors_total{{probe=\"p\",syscall=\"{label}\",errno=\"ENOENT\"}} 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_syscall_name_longer_than_32_characters_is_other()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        new StraceMetrics(registry).Count("p", new SyscallEvent(1, new string('a', 33), SyscallOutcome.Ok, null, null));

        Assert.Contains("trace_syscalls_total{probe=\"p\",syscall=\"other\",result=\"ok\"} 1", await ExpositionAsync(registry), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Past_the_series_limit_new_label_sets_fold_into_the_overflow_series_and_are_counted_once_each()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = new StraceMetrics(registry);
        metrics.SetSeriesLimit("p", 3);
        foreach (var name in new[] { "a", "b", "c", "d", "e", "d", "a" })
        {
            metrics.Count("p", new SyscallEvent(1, name, SyscallOutcome.Ok, null, null));
        }

        var text = await ExpositionAsync(registry);

        Assert.Contains("trace_syscalls_total{probe=\"p\",syscall=\"a\",result=\"ok\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("trace_syscalls_total{probe=\"p\",syscall=\"__overflow__\",result=\"ok\"} 3", text, StringComparison.Ordinal);
        Assert.DoesNotContain("syscall=\"d\"", text, StringComparison.Ordinal);
        Assert.Contains("trace_exporter_series_dropped_total{probe=\"p\",metric=\"trace_syscalls_total\"} 2", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Max_processes_and_series_limit_are_read_from_the_config()
    {
        var config = ConfigLoader.Parse("probes:\n  - name: s\n    kind: strace\n    target: { process_name: sshd }\n    max_processes: 2\n    series_limit: 50\n", "s.yaml");

        var probe = Assert.Single(config.StraceProbes);
        Assert.Equal((2, 50), (probe.MaxProcesses, probe.SeriesLimit));
        Assert.Equal(8, ConfigLoader.Parse("probes:\n  - name: s\n    kind: strace\n    target: { process_name: sshd }\n", "s.yaml").StraceProbes[0].MaxProcesses);
    }

    [Theory]
    [InlineData("    target: { pid: 1 }\n    max_processes: 2\n", "s.yaml:5:20: max_processes is only for a process_name target")]
    [InlineData("    target: { process_name: x }\n    max_processes: 0\n", "s.yaml:5:20: max_processes must be between 1 and 1024")]
    [InlineData("    target: { process_name: x }\n    series_limit: -1\n", "s.yaml:5:19: series_limit must be between 1 and 1000000")]
    public void Bad_bounds_are_refused_where_they_are_written(string body, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse($"probes:\n  - name: s\n    kind: strace\n{body}", "s.yaml"));

        Assert.Contains(e.Errors, error => error.ToString().StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_name_probe_traces_at_most_max_processes_and_counts_the_others_and_skips_over_long_lines()
    {
        var proc = Path.Combine(_dir, "proc");
        for (var pid = 1001; pid <= 1005; pid++)
        {
            Directory.CreateDirectory(Path.Combine(proc, pid.ToString()));
            await File.WriteAllTextAsync(Path.Combine(proc, pid.ToString(), "comm"), "victim\n");
            await File.WriteAllTextAsync(Path.Combine(proc, pid.ToString(), "status"), "Name:\tvictim\nTracerPid:\t0\n");
        }

        // A stand-in for strace: says it attached, writes one line over the limit and one real call to its -o, then waits.
        var strace = Path.Combine(_dir, "strace");
        await File.WriteAllTextAsync(strace, $$"""
            #!/bin/sh
            while [ $# -gt 0 ]; do case "$1" in -o) out=$2; shift;; -p) pid=$2; shift;; esac; shift; done
            echo "strace: Process $pid attached" >&2
            { head -c {{StraceRunner.MaxLineBytes + 10}} /dev/zero | tr '\0' x; echo; echo "$pid openat(AT_FDCWD, \"\x78\", O_RDONLY) = -1 ENOENT (No such file or directory)"; } > "$out"
            exec sleep 60
            """.Replace("\r", "", StringComparison.Ordinal));
        File.SetUnixFileMode(strace, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = new StraceMetrics(registry);
        var settings = new StraceProbeSettings { Name = "names", TargetKind = StraceTargetKind.Name, Target = "victim", StracePath = strace, MaxProcesses = 2 };
        using var launcher = new ChildProcessLauncher();
        var runner = new StraceProbeRunner(settings, metrics, launcher, NullLogger.Instance, TimeProvider.System, proc);
        using var stop = new CancellationTokenSource();

        var running = runner.RunAsync(stop.Token);
        string text;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        do
        {
            await Task.Delay(100);
            text = await ExpositionAsync(registry);
        }
        while (!text.Contains("trace_syscall_errors_total{probe=\"names\",syscall=\"openat\",errno=\"ENOENT\"} 2", StringComparison.Ordinal) && DateTime.UtcNow < deadline);
        var attached = runner.AttachedPids.Count;
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(2, attached);
        Assert.Contains("trace_syscall_errors_total{probe=\"names\",syscall=\"openat\",errno=\"ENOENT\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("trace_exporter_strace_processes_skipped_total{probe=\"names\"} 3", text, StringComparison.Ordinal);
        Assert.Contains("trace_exporter_strace_lines_skipped_total{probe=\"names\",reason=\"too_long\"} 2", text, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<string> ExpositionAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
