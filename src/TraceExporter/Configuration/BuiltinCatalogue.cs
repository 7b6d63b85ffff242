namespace TraceExporter.Configuration;

/// <summary>
/// What each built-in probe exports, in the same terms a user's probe is configured in: a map and its metric
/// (name, help, labels with their kinds). The programs that fill the maps are generated for the running
/// kernel by the probe planner; here is only what the configuration needs to know.
/// </summary>
public static class BuiltinCatalogue
{
    public const string TcpConnects = "tcp_connects";
    public const string TcpAccepts = "tcp_accepts";
    public const string SkbDrops = "skb_drops";
    public const string TcpReadBytes = "tcp_read_bytes";
    public const string TcpRetransmits = "tcp_retransmits";
    public const string ProcessExecs = "process_execs";

    /// <summary>Every built-in probe, in the order they are planned and listed.</summary>
    public static IReadOnlyList<string> Names { get; } = [TcpConnects, TcpAccepts, SkbDrops, TcpReadBytes, TcpRetransmits, ProcessExecs];

    /// <summary>
    /// The labels each built-in may have: its own first, then the workload labels where its events have a task
    /// or a socket that belongs to the workload (connects, reads and execs run in the process; accepts and
    /// retransmits belong to a socket, attributed by the socket's cgroup). A drop mostly happens in softirq,
    /// with no owner to attribute it to: skb_drops keeps its reason alone.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> LabelChoices { get; } = new Dictionary<string, IReadOnlyList<string>>
    {
        [TcpConnects] = ["comm", .. LabelConfig.CgroupLabelNames],
        [TcpAccepts] = ["port", .. LabelConfig.CgroupLabelNames],
        [SkbDrops] = ["reason"],
        [TcpReadBytes] = ["comm", .. LabelConfig.CgroupLabelNames],
        [TcpRetransmits] = ["interface", .. LabelConfig.CgroupLabelNames],
        [ProcessExecs] = ["comm", .. LabelConfig.CgroupLabelNames],
    };

    /// <summary>The metric names the built-ins take (a user metric may not take one).</summary>
    public static IReadOnlyList<string> MetricNames { get; } = [.. Names.Select(n => Metric(new BuiltinProbeConfig { Name = n }).Name)];

    /// <summary>The labels a built-in probe's metric has with these options (its own label alone unless configured).</summary>
    public static IReadOnlyList<string> LabelsOf(BuiltinProbeConfig probe) => probe.Labels ?? [LabelChoices[probe.Name][0]];

    /// <summary>The map a built-in probe's program fills: the probe's name with '@'.</summary>
    public static string MapName(string probe) => "@" + probe;

    /// <summary>
    /// The metric of a built-in probe with these options. Its key is its own label's part(s) (when that label is
    /// asked for), then one cgroup id when any workload label is; the labels come out in that order.
    /// </summary>
    public static MapMetricConfig Metric(BuiltinProbeConfig probe) => probe.Name switch
    {
        TcpConnects => Counter(probe, "trace_tcp_connects_total", "TCP connections opened actively (connect), by the calling process.", "count", new LabelConfig("comm", LabelKind.PackedName)),
        TcpAccepts => Counter(probe, "trace_tcp_accepts_total", "TCP connections accepted (passive opens), by local port; ports of the ephemeral range count as port=\"ephemeral\" unless configured otherwise.", "count",
            new LabelConfig("port", probe.FoldEphemeralPorts ? LabelKind.Port : LabelKind.Number)),
        SkbDrops => Counter(probe, "trace_skb_drops_total", "Packets dropped by the kernel (skb:kfree_skb), by drop reason as the running kernel names it.", "count", new LabelConfig("reason", LabelKind.DropReason)),
        TcpReadBytes => Counter(probe, "trace_tcp_read_bytes_total", "Bytes read from TCP sockets by processes, by process.", "sum", new LabelConfig("comm", LabelKind.PackedName)),
        TcpRetransmits => Counter(probe, "trace_tcp_retransmits_total", "TCP segments retransmitted (as TcpRetransSegs counts them), by interface of the route.", "sum", new LabelConfig("interface", LabelKind.Interface)),
        ProcessExecs => Counter(probe, "trace_process_execs_total", "Programs executed (successful exec), by the new process.", "count", new LabelConfig("comm", LabelKind.PackedName)),
        _ => throw new ArgumentException($"no built-in probe '{probe.Name}'", nameof(probe)),
    };

    /// <summary>Whether the probe's key has its own label's part(s), and which workload labels its cgroup part gives (none: no cgroup part).</summary>
    public static (bool Own, IReadOnlyList<string> Workload) KeyOf(BuiltinProbeConfig probe)
    {
        var labels = LabelsOf(probe);
        return (labels.Contains(LabelChoices[probe.Name][0]), [.. LabelConfig.CgroupLabelNames.Where(labels.Contains)]);
    }

    private static MapMetricConfig Counter(BuiltinProbeConfig probe, string name, string help, string aggregation, LabelConfig own)
    {
        var (hasOwn, workload) = KeyOf(probe);
        List<LabelConfig> labels = hasOwn ? [own] : [];
        if (workload.Count > 0)
        {
            labels.Add(LabelConfig.Cgroup(workload));
        }

        return Counter(probe, name, help, aggregation, labels);
    }

    private static MapMetricConfig Counter(BuiltinProbeConfig probe, string name, string help, string aggregation, IReadOnlyList<LabelConfig> labels) => new()
    {
        Map = MapName(probe.Name),
        Name = name,
        Help = help,
        Type = MetricType.Counter,
        Labels = labels,
        Update = MapUpdate.Delta,
        Aggregation = aggregation,
        SeriesLimit = probe.SeriesLimit,
        SeriesTtl = probe.SeriesTtl,
    };
}
