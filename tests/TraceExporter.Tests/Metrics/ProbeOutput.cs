using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using TraceExporter.Configuration;
using TraceExporter.Kernel;
using TraceExporter.Metrics;
using TraceExporter.Parsing;
using TraceExporter.Probes;

namespace TraceExporter.Tests.Metrics;

/// <summary>
/// One probe group's output path without the kernel, as the daemon builds it: configuration → plan → routes
/// → recorded bpftrace lines through the parser and the record sink → the rendered families.
/// </summary>
internal sealed class ProbeOutput
{
    private readonly BpftraceJsonParser _parser = new();

    private ProbeOutput(GroupPlan plan, HostFacts host, Version bpftrace, TestClock time)
    {
        Plan = plan;
        Time = time;
        Self = new SelfMetrics(Prometheus.Metrics.NewCustomRegistry());
        Families = new MetricFamilySet(time);
        Routing = GroupRouting.Build(plan, Families, Self, host, bpftrace);
        Program = ProgramAssembler.Assemble(plan.Members, plan.Interval);
        Sink = NewSink();
    }

    public GroupPlan Plan { get; }

    public TestClock Time { get; }

    public SelfMetrics Self { get; }

    public MetricFamilySet Families { get; }

    public GroupRouting Routing { get; }

    public AssembledProgram Program { get; }

    public ProbeRecordSink Sink { get; private set; }

    public string Page => Families.Render();

    /// <summary>The group of the first user probe in <paramref name="yaml"/>.</summary>
    public static ProbeOutput FromConfig(string yaml, Version? bpftrace = null, string? ephemeralRange = null)
    {
        var config = ConfigLoader.Parse(yaml, "t.yaml");
        var host = Host(ephemeralRange);
        var plans = ProbePlanner.Plan(config, host, bpftrace ?? new Version(0, 17, 0));
        return new ProbeOutput(plans.Groups.Single(), host, bpftrace ?? new Version(0, 17, 0), new TestClock());
    }

    /// <summary>A group of probes made directly from plans (e.g. built-in metrics on a program of the test's own).</summary>
    public static ProbeOutput FromMembers(IReadOnlyList<ProbePlan> members, string? ephemeralRange = null)
    {
        var plan = new GroupPlan
        {
            Name = "g",
            Members = members,
            Interval = TimeSpan.FromSeconds(5),
            BpftracePath = "bpftrace",
            Environment = new Dictionary<string, string?>(),
            MaxMapKeys = 100,
            Backoff = RestartBackoff.Default,
            Identity = "g",
        };
        return new ProbeOutput(plan, Host(ephemeralRange), new Version(0, 17, 0), new TestClock());
    }

    /// <summary>A new bpftrace process of the group: a new sink on the same routes.</summary>
    public void Restart() => Sink = NewSink();

    public void Feed(params string[] lines)
    {
        foreach (var line in lines)
        {
            _parser.Parse(Encoding.UTF8.GetBytes(line), Sink);
        }
    }

    /// <summary>One map record: <c>{"type": "map", "data": {"@name": {entries}}}</c>.</summary>
    public void FeedMap(string map, string entries) => Feed($"{{\"type\": \"map\", \"data\": {{\"{map}\": {{{entries}}}}}}}");

    /// <summary>The drain marker of the interval probe, printed <paramref name="ago"/> before now (bpftrace's clock is the monotonic one).</summary>
    public void FeedDrained(TimeSpan ago = default)
    {
        var ns = (ulong)((Time.GetTimestamp() / (double)Time.TimestampFrequency * 1e9) - ago.TotalNanoseconds);
        Feed($"{{\"type\": \"printf\", \"data\": \"{ControlLine.Drained} {ns}\\n\"}}");
    }

    public List<(string Labels, string? Le, double Value)> Samples(string name) =>
        Page.Split('\n')
            .Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal))
            .Select(l =>
            {
                var space = l.LastIndexOf(' ');
                var labels = l[name.Length..space];
                var le = labels.Contains("le=\"", StringComparison.Ordinal) ? labels[(labels.IndexOf("le=\"", StringComparison.Ordinal) + 4)..labels.LastIndexOf('"')] : null;
                return (labels, le, double.Parse(l[(space + 1)..], CultureInfo.InvariantCulture));
            })
            .ToList();

    public double Sum(string name) => Samples(name).Sum(s => s.Value);

    private ProbeRecordSink NewSink() => new(Routing.ForProcess(Plan, Plan.Members, Program), Self, Time, NullLogger.Instance);

    private static HostFacts Host(string? ephemeralRange)
    {
        var range = Path.Combine(Path.GetTempPath(), $"te-range-{Guid.NewGuid():N}");
        File.WriteAllText(range, ephemeralRange ?? "");
        try
        {
            return HostFacts.Discover("/nonexistent/tracefs", "/nonexistent/btf", range);
        }
        finally
        {
            File.Delete(range);
        }
    }
}
