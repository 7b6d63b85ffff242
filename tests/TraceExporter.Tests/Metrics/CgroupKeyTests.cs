using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using TraceExporter.Configuration;
using TraceExporter.Kernel;
using TraceExporter.Metrics;
using TraceExporter.Parsing;
using TraceExporter.Probes;

namespace TraceExporter.Tests.Metrics;

/// <summary>
/// Keys holding a cgroup id, named through a directory tree standing in for the cgroup2 mount (a directory's
/// inode is its cgroup's id): the labels a path gives, once per id, and series that go once their cgroup has.
/// </summary>
public sealed class CgroupKeyTests : IDisposable
{
    private const string Pod = "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1d3c5e2a_0b7e_4f6d_9a41_2c8e6f0b7d13.slice";
    private static readonly string Container = new('a', 64);
    private readonly DirectoryInfo _mount = Directory.CreateTempSubdirectory("te-cgkey-");
    private readonly TestClock _time = new();
    private readonly CgroupResolver _resolver;

    public CgroupKeyTests() => _resolver = new CgroupResolver(_mount.FullName, TimeSpan.Zero, _time);

    [Fact]
    public void A_cgroup_part_gives_the_labels_its_path_names_and_the_other_parts_stay_exact()
    {
        var web = Cgroup("te-test.slice/te-web.service");
        var pod = Cgroup($"{Pod}/cri-containerd-{Container}.scope");
        var decoder = new KeyDecoder(
            [new LabelConfig("comm", LabelKind.PackedName), LabelConfig.Cgroup(["unit", "container_id", "pod_uid", "cgroup"])],
            null, false, cgroups: new CgroupNames(_resolver));

        Assert.True(decoder.TryDecode(Key("7955997335096354164,0", web), out var values, out var cgroup));
        Assert.Equal(["te_plain", "/te-test.slice/te-web.service", "te-web.service", "", ""], values);
        Assert.Equal((web, true), cgroup);

        Assert.True(decoder.TryDecode(Key("7955997335096354164,0", pod), out values, out _));
        Assert.Equal(["te_plain", $"/{Pod}/cri-containerd-{Container}.scope", $"cri-containerd-{Container}.scope", Container, "1d3c5e2a-0b7e-4f6d-9a41-2c8e6f0b7d13"], values);
    }

    [Fact]
    public void An_id_no_walk_finds_reads_empty_and_is_not_remembered_so_a_later_print_can_name_it()
    {
        var output = Probe();
        output.FeedMap("@m_te0", "\"424242424242\": 2");
        Assert.Equal(2, output.Samples("t_total").Single(s => s.Labels == "{unit=\"\"}").Value);

        var late = Cgroup("late.service"); // made after the first print asked, found by the next walk
        output.FeedMap("@m_te1", $"\"{late}\": 3");
        Assert.Equal(3, output.Samples("t_total").Single(s => s.Labels == "{unit=\"late.service\"}").Value);
    }

    [Fact]
    public void The_series_of_a_cgroup_that_is_gone_go_after_the_grace_period_and_the_others_stay()
    {
        var gone = Cgroup("gone.service");
        var stays = Cgroup("stays.service");
        var output = Probe();
        output.FeedMap("@m_te0", $"\"{gone}\": 1, \"{stays}\": 1");
        Directory.Delete(Path.Combine(_mount.FullName, "gone.service"));

        Assert.Equal(0, output.Sweeper.Sweep()); // gone, but only just
        output.FeedDrained();
        Assert.Equal(2, output.Samples("t_total").Count);

        output.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, output.Sweeper.Sweep());
        output.FeedDrained(); // the route removes them on its own thread, at its next drain
        Assert.Equal(["{unit=\"stays.service\"}"], output.Samples("t_total").Select(s => s.Labels));
    }

    [Fact]
    public void A_built_in_with_workload_labels_keys_by_its_own_label_and_the_cgroup_in_that_order()
    {
        var metric = BuiltinCatalogue.Metric(new BuiltinProbeConfig { Name = BuiltinCatalogue.TcpConnects, Labels = ["pod_uid", "comm", "unit"] });

        Assert.Equal([LabelKind.PackedName, LabelKind.Cgroup], metric.Labels.Select(l => l.Kind));
        Assert.Equal(["comm", "unit", "pod_uid"], metric.Labels.SelectMany(l => l.Names));
        Assert.Equal(["comm"], BuiltinCatalogue.Metric(new BuiltinProbeConfig { Name = BuiltinCatalogue.TcpConnects }).Labels.SelectMany(l => l.Names));
        Assert.Equal(["unit"], BuiltinCatalogue.Metric(new BuiltinProbeConfig { Name = BuiltinCatalogue.ProcessExecs, Labels = ["unit"] }).Labels.SelectMany(l => l.Names));
    }

    public void Dispose() => _mount.Delete(recursive: true);

    private ulong Cgroup(string path)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_mount.FullName, path));
        Assert.True(DirectoryInode.TryGet(directory.FullName, out var inode));
        return inode;
    }

    private static byte[] Key(string parts, ulong cgroup) => System.Text.Encoding.ASCII.GetBytes($"{parts},{cgroup.ToString(CultureInfo.InvariantCulture)}");

    private CgroupProbe Probe() => new(_resolver, _time);

    /// <summary>A user probe keyed by cgroup (unit label), with the daemon's routes, sink and sweeper.</summary>
    private sealed class CgroupProbe
    {
        private readonly BpftraceJsonParser _parser = new();
        private readonly ProbeRecordSink _sink;
        private readonly MetricFamilySet _families;

        public CgroupProbe(CgroupResolver resolver, TestClock time)
        {
            Time = time;
            var self = new SelfMetrics(Prometheus.Metrics.NewCustomRegistry());
            _families = new MetricFamilySet(time);
            Sweeper = new CgroupSweeper(new CgroupNames(resolver), TimeSpan.FromSeconds(30), time);
            var metric = new MapMetricConfig { Map = "@m", Name = "t_total", Help = "T.", Labels = [LabelConfig.Cgroup(["unit"])], Aggregation = "count" };
            var plan = new GroupPlan
            {
                Name = "g",
                Members = [new ProbePlan { Name = "t", Source = ProbePlan.UserSource, Program = "k { @m[cgroup] = count(); }", Metrics = [metric] }],
                Interval = TimeSpan.FromSeconds(5),
                BpftracePath = "bpftrace",
                Environment = new Dictionary<string, string?>(),
                MaxMapKeys = 100,
                Backoff = RestartBackoff.Default,
                Identity = "g",
            };
            var host = HostFacts.Discover("/nonexistent/tracefs", "/nonexistent/btf", "/nonexistent/range", resolver.MountPoint);
            var routing = GroupRouting.Build(plan, _families, self, host, new Version(0, 17, 0), Sweeper);
            _sink = new ProbeRecordSink(routing.ForProcess(plan, plan.Members, ProgramAssembler.Assemble(plan.Members, plan.Interval)), self, time, NullLogger.Instance);
        }

        public TestClock Time { get; }

        public CgroupSweeper Sweeper { get; }

        public void FeedMap(string map, string entries) =>
            _parser.Parse(System.Text.Encoding.UTF8.GetBytes($"{{\"type\": \"map\", \"data\": {{\"{map}\": {{{entries}}}}}}}"), _sink);

        public void FeedDrained()
        {
            var ns = (ulong)(Time.GetTimestamp() / (double)Time.TimestampFrequency * 1e9);
            _parser.Parse(System.Text.Encoding.UTF8.GetBytes($"{{\"type\": \"printf\", \"data\": \"{ControlLine.Drained} {ns}\\n\"}}"), _sink);
        }

        public List<(string Labels, double Value)> Samples(string name) =>
            [.. _families.Render().Split('\n')
                .Where(l => l.StartsWith(name + "{", StringComparison.Ordinal))
                .Select(l => (l[name.Length..l.LastIndexOf(' ')], double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)))];
    }
}
