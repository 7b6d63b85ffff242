using Microsoft.Extensions.Logging.Abstractions;
using TraceExporter.Configuration;
using TraceExporter.Kernel;
using TraceExporter.Metrics;
using TraceExporter.Probes;
using TraceExporter.Strace;

namespace TraceExporter.Tests.Probes;

/// <summary>Supervision and reloads with a real child process (<see cref="DummyBpftrace"/>) and a fake clock: no kernel needed.</summary>
public sealed class ProbeHostTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly DummyBpftrace _bpftrace = new();
    private readonly TestClock _time = new();
    private readonly ChildProcessLauncher _launcher = new();
    private readonly SelfMetrics _self = new(Prometheus.Metrics.NewCustomRegistry());
    private readonly MetricFamilySet _families;
    private readonly ProbeStates _states;
    private readonly HostFacts _host = HostFacts.Discover("/nonexistent/tracefs", "/nonexistent/btf", "/nonexistent/range");

    public ProbeHostTests()
    {
        _families = new MetricFamilySet(_time);
        _states = new ProbeStates(_self);
    }

    [Fact]
    public async Task A_bpftrace_that_ends_is_started_again_after_the_backoff_and_its_counters_continue()
    {
        _bpftrace.Script(1, exitCode: 1, Map("@m_te0", "\"1\": 5"));
        _bpftrace.Script(2, exitCode: null, Map("@m_te1", "\"1\": 2"));
        using var probes = Host(Config(Probe("a")));

        await probes.StartAsync(CancellationToken.None);
        await Until(() => Value("a_events_total") == 5 && _states.Get("a")?.Status == ProbeStatus.Restarting);
        await Task.Delay(300);
        Assert.Equal(1, _bpftrace.Starts); // the backoff runs on the fake clock: nothing happens until it moves

        _time.Advance(TimeSpan.FromSeconds(1.3)); // the first delay: 1 s ± 20 %
        await Until(() => Value("a_events_total") == 7 && _states.Get("a")?.Status == ProbeStatus.Up);
        Assert.Equal(2, _bpftrace.Starts);
        Assert.Equal(1, _self.Restarts.WithLabels("a").Value);
        await probes.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_reload_keeps_an_unchanged_group_running_restarts_a_changed_one_with_its_counter_continuing_and_removes_what_is_gone()
    {
        _bpftrace.Script(1, exitCode: null, Map("@m_te0", "\"1\": 5"));
        _bpftrace.Script(2, exitCode: null, Map("@m_te0", "\"1\": 3"));
        using var probes = Host(Config(Probe("a"), Probe("b")));
        await probes.StartAsync(CancellationToken.None);
        await Until(() => Value("a_events_total") + Value("b_events_total") == 8);
        var bWasFirst = Value("b_events_total") == 5;

        // a changes its program, b is removed, c is new.
        _bpftrace.Script(3, exitCode: null, Map("@m_te1", "\"1\": 4"));
        _bpftrace.Script(4, exitCode: null, Map("@m_te1", "\"1\": 4"));
        await probes.ReloadAsync(Config(Probe("a", extra: " @x = count();"), Probe("c")), CancellationToken.None);
        await Until(() => Value("a_events_total") == (bWasFirst ? 7 : 9) && Value("c_events_total") == 4);

        Assert.Equal(4, _bpftrace.Starts);
        Assert.Null(_families.Find("b_events_total"));
        Assert.DoesNotContain(_self.ProbeUp.GetAllLabelValues(), l => l[0] == "b");
        Assert.Equal(["a", "c"], _states.All.Select(s => s.Name));
        Assert.All(_states.All, s => Assert.Equal(ProbeStatus.Up, s.Status));

        // Reloading the same configuration again restarts nothing.
        await probes.ReloadAsync(Config(Probe("a", extra: " @x = count();"), Probe("c")), CancellationToken.None);
        await Task.Delay(300);
        Assert.Equal(4, _bpftrace.Starts);
        await probes.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_member_this_host_cannot_attach_is_found_and_disabled_and_the_rest_of_its_group_runs_without_it()
    {
        var plan = new GroupPlan
        {
            Name = "shared",
            Members =
            [
                new ProbePlan { Name = "good", Source = ProbePlan.BuiltinSource, Program = "tracepoint:sched:sched_process_exec { @good = count(); }", Metrics = [Metric("@good", "good_total")] },
                new ProbePlan { Name = "bad", Source = ProbePlan.BuiltinSource, Program = $"{DummyBpftrace.Unattachable} {{ @bad = count(); }}", Metrics = [Metric("@bad", "bad_total")] },
            ],
            Interval = TimeSpan.FromSeconds(5),
            BpftracePath = _bpftrace.Path,
            Environment = new Dictionary<string, string?>(),
            MaxMapKeys = 100,
            Backoff = RestartBackoff.Default,
            Identity = "shared",
        };
        var group = new BpftraceGroup(plan, GroupRouting.Build(plan, _families, _self, _host, new Version(0, 17, 0)), new BpftraceRunner(_launcher, _bpftrace.Path), _states, _self, _time, NullLogger.Instance);
        await using var supervisor = new ChildSupervisor(group, plan.Backoff, _time, NullLogger.Instance);

        supervisor.Start();
        await group.FirstAttemptSettled.WaitAsync(Deadline);

        Assert.Equal(ProbeStatus.Up, _states.Get("good")!.Status);
        Assert.Equal(ProbeStatus.Failed, _states.Get("bad")!.Status);
        Assert.Contains("tracepoint not found", _states.Get("bad")!.Reason, StringComparison.Ordinal);
        Assert.Equal(0, _self.ProbeUp.WithLabels("bad").Value);
        Assert.Equal(4, _bpftrace.Starts); // the group, each member alone, then the group without the failing one
        Assert.DoesNotContain(DummyBpftrace.Unattachable, _bpftrace.Program(4), StringComparison.Ordinal);
        Assert.Equal(0, _self.Restarts.WithLabels("good").Value); // finding the culprit is not a restart
    }

    [Fact]
    public async Task A_program_too_large_to_load_with_helper_checks_runs_without_them_and_stays_up()
    {
        _bpftrace.Script(2, exitCode: null, Map("@m_te0", "\"1\": 1"));
        using var probes = Host(Config(Probe("big", extra: $" {DummyBpftrace.TooLargeWithHelperChecks} = count();")));

        await probes.StartAsync(CancellationToken.None);
        await Until(() => Value("big_events_total") == 1);

        Assert.Equal(ProbeStatus.Up, _states.Get("big")!.Status);
        Assert.Equal(2, _bpftrace.Starts); // with -k, then without it
        Assert.Equal(0, _self.Restarts.WithLabels("big").Value);
        await probes.StopAsync(CancellationToken.None);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_strace_command_that_ends_is_started_again_by_the_same_supervisor_with_its_backoff()
    {
        // A stand-in for strace: "runs" the command (it exits at once) and writes the exit to its -o, as strace -f does.
        var strace = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"te-fake-strace-{Guid.NewGuid():N}");
        var starts = strace + ".starts";
        await File.WriteAllTextAsync(strace, $$"""
            #!/bin/sh
            while [ $# -gt 0 ]; do case "$1" in -o) out=$2; shift;; esac; shift; done
            echo x >> '{{starts}}'
            echo "$$ +++ exited with 0 +++" > "$out"
            """.Replace("\r", "", StringComparison.Ordinal));
        File.SetUnixFileMode(strace, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var config = ConfigLoader.Parse($$"""
                builtin: {}
                probes:
                  - { name: cmd, kind: strace, strace_path: {{strace}}, target: { command: [/bin/true] } }
                """, "t.yaml");
            using var probes = Host(config);
            await probes.StartAsync(CancellationToken.None);
            await Until(() => _states.Get("cmd")?.Status == ProbeStatus.Restarting);
            await Task.Delay(300);
            Assert.Single(File.ReadAllLines(starts)); // the backoff waits on the fake clock

            _time.Advance(TimeSpan.FromSeconds(1.3));
            await Until(() => File.ReadAllLines(starts).Length == 2);
            await probes.StopAsync(CancellationToken.None);
        }
        finally
        {
            File.Delete(strace);
            File.Delete(starts);
        }
    }

    public void Dispose()
    {
        _launcher.Dispose();
        _bpftrace.Dispose();
    }

    private ProbeHost Host(ExporterConfig config) =>
        new(config, _host, _launcher, _self, _families, _states, new BpftraceInfo(new Version(0, 17, 0)), new StraceMetrics(Prometheus.Metrics.NewCustomRegistry()), _time, NullLogger<ProbeHost>.Instance);

    private ExporterConfig Config(params string[] probes) => ConfigLoader.Parse($$"""
        builtin: {}
        bpftrace: { path: {{_bpftrace.Path}} }
        probes:
        {{string.Join('\n', probes)}}
        """, "t.yaml");

    private static string Probe(string name, string extra = "") => $$"""
          - name: {{name}}
            program: 'tracepoint:sched:sched_process_exec { @m[pid] = count();{{extra}} }'
            metrics:
              - { map: "@m", name: {{name}}_events_total, help: Execs., labels: [{ name: pid, kind: number }] }
        """;

    private static MapMetricConfig Metric(string map, string name) => new() { Map = map, Name = name, Help = "X.", Aggregation = "count" };

    private static string Map(string map, string entries) => $"{{\"type\": \"map\", \"data\": {{\"{map}\": {{{entries}}}}}}}";

    private double Value(string metric) =>
        _families.Find(metric) is { } family ? ProbeOutputSum(family) : 0;

    private static double ProbeOutputSum(MetricFamily family)
    {
        var text = new System.Text.StringBuilder();
        family.Render(text);
        return text.ToString().Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private async Task Until(Func<bool> condition)
    {
        var until = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, $"the condition did not come true in time; bpftrace started {_bpftrace.Starts} time(s); parse errors {_self.ParseErrors.WithLabels("a").Value}, runtime errors {_self.RuntimeErrors.WithLabels("a").Value}; states: {string.Join(", ", _states.All)}\n{_families.Render()}");
            await Task.Delay(20);
        }
    }
}
