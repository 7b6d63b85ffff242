using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace TraceExporter.Configuration;

/// <summary>
/// Reads the <c>probes:</c> list: users' programs and how their maps become metrics. Every mistake is
/// recorded with its location; cross-checks (names taken twice, maps the program never defines, labels that
/// do not fit the key) run after each probe is read.
/// </summary>
internal sealed class UserProbeReader(NodeReader reader, string configPath, HashSet<string> takenMetricNames)
{
    private const string ProbeKeys = "name, kind, program, program_file, interval, buffer_pages, max_map_keys, metrics, lines";
    private const string MetricKeys = "map, name, help, type, labels, scale, sum_map, update, series_limit, series_ttl";
    private const string LineKeys = "regex, name, help, series_limit, series_ttl";

    private static readonly HashSet<string> ReservedSuffixes = ["_bucket", "_count", "_sum"];

    /// <summary>Strace probes found in the list (kind: strace), read by <see cref="ReadAll"/>.</summary>
    public List<StraceProbeSettings> StraceProbes { get; } = [];

    public List<UserProbeConfig> ReadAll(YamlNode node)
    {
        var probes = new List<UserProbeConfig>();
        if (node is not YamlSequenceNode list)
        {
            reader.Error(node, "probes must be a list of probes");
            return probes;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in list.Children)
        {
            string? name;
            if (item is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode("kind"), out var kind)
                && kind is YamlScalarNode { Value: not "bpftrace" })
            {
                if (kind is not YamlScalarNode { Value: "strace" })
                {
                    reader.Error(kind, "kind must be bpftrace (the default) or strace");
                    continue;
                }

                name = ReadStrace(map)?.Name;
            }
            else
            {
                var probe = Read(item);
                if (probe is not null)
                {
                    probes.Add(probe);
                }

                name = probe?.Name;
            }

            if (name is not null && (!names.Add(name) || BuiltinCatalogue.Names.Contains(name)))
            {
                reader.Error(item, $"probe name '{name}' is already taken{(BuiltinCatalogue.Names.Contains(name) ? " by a built-in probe" : "")}");
            }
        }

        return probes;
    }

    /// <summary>A strace probe: <c>target: {pid | process_name | command}</c> and <c>filter</c> in strace's own <c>-e</c> syntax.</summary>
    private StraceProbeSettings? ReadStrace(YamlMappingNode node)
    {
        if (reader.Mapping(node, "a probe") is not { } map)
        {
            return null; // a key that is not a plain name
        }

        string? name = null, strace = null;
        StraceTargetKind? kind = null;
        string target = "";
        List<string> arguments = [], filters = [];
        int? maxProcesses = null;
        var seriesLimit = StraceProbeSettings.DefaultSeriesLimit;
        foreach (var (keyNode, value) in map.Children)
        {
            switch (((YamlScalarNode)keyNode).Value)
            {
                case "kind":
                    break;
                case "max_processes":
                    maxProcesses = (int?)reader.Integer(value, "max_processes", 1, 1024);
                    break;
                case "series_limit":
                    seriesLimit = (int)(reader.Integer(value, "series_limit", 1, 1_000_000) ?? seriesLimit);
                    break;
                case "name":
                    name = ProbeNameOf(value);
                    break;
                case "strace_path":
                    strace = reader.NonEmptyString(value, "strace_path");
                    break;
                case "filter":
                    filters = value switch
                    {
                        YamlScalarNode { Value: { Length: > 0 } one } => [one],
                        YamlSequenceNode many => [.. many.Children.OfType<YamlScalarNode>().Select(n => n.Value ?? "")],
                        _ => [],
                    };
                    break;
                case "target":
                    if (reader.Mapping(value, "target") is { } t && t.Children.Count == 1)
                    {
                        var (targetKey, targetValue) = t.Children.First();
                        switch (((YamlScalarNode)targetKey).Value)
                        {
                            case "pid":
                                kind = StraceTargetKind.Pid;
                                target = (targetValue as YamlScalarNode)?.Value ?? "";
                                break;
                            case "process_name":
                                kind = StraceTargetKind.Name;
                                target = (targetValue as YamlScalarNode)?.Value ?? "";
                                break;
                            case "command":
                                kind = StraceTargetKind.Command;
                                var parts = targetValue is YamlSequenceNode seq ? seq.Children.OfType<YamlScalarNode>().Select(n => n.Value ?? "").ToList() : [];
                                target = parts.FirstOrDefault() ?? "";
                                arguments = parts.Skip(1).ToList();
                                break;
                            default:
                                reader.Unknown(targetKey, ((YamlScalarNode)targetKey).Value, "pid, process_name, command");
                                break;
                        }
                    }
                    else if (value is YamlMappingNode)
                    {
                        reader.Error(value, "target needs exactly one of: pid, process_name, command (a list: program and arguments)");
                    }

                    break;
                default:
                    reader.Unknown(keyNode, ((YamlScalarNode)keyNode).Value, "name, kind, target, filter, strace_path, max_processes, series_limit");
                    break;
            }
        }

        if (name is null || kind is null)
        {
            if (kind is null)
            {
                reader.Error(map, "a strace probe needs a target: pid, process_name or command");
            }

            return null;
        }

        var settings = new StraceProbeSettings
        {
            Name = name,
            TargetKind = kind.Value,
            Target = target,
            Arguments = arguments,
            Filters = filters,
            StracePath = strace ?? "strace",
            MaxProcesses = maxProcesses ?? StraceProbeSettings.DefaultMaxProcesses,
            SeriesLimit = seriesLimit,
        };
        if (maxProcesses is not null && kind != StraceTargetKind.Name)
        {
            reader.Error(map.Children[new YamlScalarNode("max_processes")], "max_processes is only for a process_name target (a pid or a command is one process tree)");
            return null;
        }

        var problems = settings.Validate();
        foreach (var problem in problems)
        {
            reader.Error(map, problem);
        }

        if (problems.Count > 0)
        {
            return null;
        }

        StraceProbes.Add(settings);
        return settings;
    }

    private UserProbeConfig? Read(YamlNode node)
    {
        if (reader.Mapping(node, "a probe") is not { } map)
        {
            return null;
        }

        string? name = null, program = null, programSource = null;
        TimeSpan? interval = null;
        int? bufferPages = null, maxMapKeys = null;
        YamlNode? metricsNode = null, linesNode = null, programNode = null;
        foreach (var (keyNode, value) in map.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value;
            switch (key)
            {
                case "name":
                    name = ProbeNameOf(value);
                    break;
                case "kind":
                    if (value is not YamlScalarNode { Value: "bpftrace" })
                    {
                        reader.Error(value, "kind must be bpftrace (the default) or strace");
                    }

                    break;
                case "program":
                    program = reader.NonEmptyString(value, "program");
                    programSource = configPath;
                    programNode = value;
                    break;
                case "program_file":
                    if (reader.NonEmptyString(value, "program_file") is { } file)
                    {
                        var path = Path.IsPathRooted(file) ? file : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(configPath)) ?? ".", file);
                        try
                        {
                            program = RegularFile.ReadAllText(path);
                            programSource = path;
                            programNode = value;
                        }
                        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                        {
                            reader.Error(value, $"program_file '{file}' cannot be read: {e.Message}");
                        }
                    }

                    break;
                case "interval":
                    interval = reader.Duration(value, "interval", TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
                    break;
                case "buffer_pages":
                    bufferPages = (int?)reader.Integer(value, "buffer_pages", 1, 1 << 20);
                    break;
                case "max_map_keys":
                    maxMapKeys = (int?)reader.Integer(value, "max_map_keys", 1, NodeReader.MaxMapKeys);
                    break;
                case "metrics":
                    metricsNode = value;
                    break;
                case "lines":
                    linesNode = value;
                    break;
                default:
                    reader.Unknown(keyNode, key, ProbeKeys);
                    break;
            }
        }

        if (name is null && !map.Children.ContainsKey("name"))
        {
            reader.Error(node, "a probe needs a name");
        }

        if (map.Children.ContainsKey("program") && map.Children.ContainsKey("program_file"))
        {
            reader.Error(node, "give either program or program_file, not both");
        }
        else if (!map.Children.ContainsKey("program") && !map.Children.ContainsKey("program_file"))
        {
            reader.Error(node, $"probe '{name}' needs a program or a program_file");
        }

        var metrics = metricsNode is null ? [] : ReadMetrics(metricsNode, program, programNode);
        var lines = linesNode is null ? [] : ReadLines(linesNode);
        if (metricsNode is null && linesNode is null)
        {
            reader.Error(node, $"probe '{name}' exports nothing: add metrics (maps) or lines (printf lines)");
        }

        if (name is null || program is null)
        {
            return null;
        }

        return new UserProbeConfig
        {
            Name = name,
            Program = program,
            ProgramSource = programSource!,
            Interval = interval,
            BufferPages = bufferPages,
            MaxMapKeys = maxMapKeys,
            Metrics = metrics,
            Lines = lines,
            Line = (int)node.Start.Line,
            Column = (int)node.Start.Column,
        };
    }

    private List<MapMetricConfig> ReadMetrics(YamlNode node, string? program, YamlNode? programNode)
    {
        var metrics = new List<MapMetricConfig>();
        if (node is not YamlSequenceNode list)
        {
            reader.Error(node, "metrics must be a list");
            return metrics;
        }

        var uses = program is null ? [] : ProgramMaps.Scan(program);
        if (program is not null)
        {
            CheckReservedNames(uses, programNode);
        }

        foreach (var item in list.Children)
        {
            if (ReadMetric(item) is not { } read)
            {
                continue;
            }

            var metric = program is null ? read.Metric : CheckAgainstProgram(item, read.Metric, read.UpdateGiven, uses, programNode);
            if (metric is not null)
            {
                metrics.Add(metric);
            }
        }

        return metrics;
    }

    /// <summary>
    /// The program must assign the metric's maps, with the aggregation the metric type reads. Unless the
    /// configuration says otherwise, a map the program only aggregates into is rotated by the daemon
    /// (<see cref="MapUpdate.Delta"/>): then it may not be read, printed or cleared by the program itself.
    /// </summary>
    private MapMetricConfig? CheckAgainstProgram(YamlNode node, MapMetricConfig metric, bool updateGiven, IReadOnlyList<MapUse> uses, YamlNode? programNode)
    {
        var where = programNode is null ? "" : $" (line {programNode.Start.Line})";
        var ok = true;
        var maps = new[] { metric.Map, metric.SumMap }.OfType<string>().ToList();
        foreach (var map in maps)
        {
            if (!uses.Any(u => u.Map == map && u.Kind != MapUseKind.Other))
            {
                reader.Error(node, $"map {map} is never assigned in the program{where}");
                ok = false;
            }
        }

        var writes = uses.Where(u => u.Map == metric.Map && u.Kind != MapUseKind.Other).ToList();
        var function = writes.Select(u => u.Kind == MapUseKind.Increment ? "++" : u.Function).FirstOrDefault(f => f is not null);
        var expected = metric.Type switch
        {
            MetricType.Histogram => new[] { "hist", "lhist" },
            MetricType.Summary => ["stats"],
            _ => null,
        };
        if (writes.Count > 0 && expected is not null && (function is null || !expected.Contains(function)))
        {
            reader.Error(node, $"{metric.Name} is a {metric.Type.ToString().ToLowerInvariant()}, so {metric.Map} must be assigned {string.Join(" or ", expected.Select(e => e + "()"))}{(function is null ? "" : $", not {function}()")}");
            ok = false;
        }
        else if (expected is null && function is "hist" or "lhist" or "stats" or "avg")
        {
            reader.Error(node, function == "avg"
                ? $"{metric.Map} is an avg(), which bpftrace prints without its count: use stats() and type: summary"
                : $"{metric.Map} is a {function}(): use type: {(function == "stats" ? "summary" : "histogram")}");
            ok = false;
        }

        var blocking = uses.Where(u => maps.Contains(u.Map) && !u.IsAccumulating).ToList();
        var update = updateGiven ? metric.Update : blocking.Count == 0 ? MapUpdate.Delta : MapUpdate.Cumulative;
        if (update == MapUpdate.Delta && blocking.Count > 0)
        {
            var use = blocking[0];
            reader.Error(node, $"{use.Map} is a delta map, which the daemon itself prints and clears each interval (it keeps two copies), so the program may only aggregate into it; program line {use.Line} uses it otherwise: remove that use or set update: cumulative");
            ok = false;
        }

        if (metric.SeriesTtl is not null && update != MapUpdate.Delta)
        {
            reader.Error(node, $"series_ttl needs update: delta ({metric.Map} is cumulative: its kernel map keeps every key, so a removed series would come back with its whole total)");
            ok = false;
        }

        return ok ? metric with { Update = update, Aggregation = function } : null;
    }

    /// <summary>Maps the daemon adds to a program, and max_map_keys in the program's own config block (the daemon sets it).</summary>
    private void CheckReservedNames(IReadOnlyList<MapUse> uses, YamlNode? programNode)
    {
        var where = programNode ?? new YamlScalarNode();
        foreach (var map in uses.Select(u => u.Map).Where(DaemonMapNames.IsReserved).Distinct())
        {
            reader.Error(where, $"map name {map} is reserved for the daemon's own maps ({DaemonMapNames.Slot}, {DaemonMapNames.Tick} and names ending in _te0 or _te1)");
        }
    }

    private (MapMetricConfig Metric, bool UpdateGiven)? ReadMetric(YamlNode node)
    {
        if (reader.Mapping(node, "a metric") is not { } map)
        {
            return null;
        }

        string? mapName = null, name = null, help = null, sumMap = null;
        var type = MetricType.Counter;
        var update = MapUpdate.Delta;
        var scale = 1.0;
        var seriesLimit = MapMetricConfig.DefaultSeriesLimit;
        TimeSpan? seriesTtl = null;
        var labels = new List<LabelConfig>();
        var ok = true;
        foreach (var (keyNode, value) in map.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value;
            switch (key)
            {
                case "map":
                    mapName = MapName(value, "map");
                    break;
                case "sum_map":
                    sumMap = MapName(value, "sum_map");
                    break;
                case "name":
                    name = MetricName(value);
                    break;
                case "help":
                    help = reader.NonEmptyString(value, "help");
                    break;
                case "type":
                    type = Choice(value, "type", MetricTypes, ref ok);
                    break;
                case "update":
                    update = Choice(value, "update", Updates, ref ok);
                    break;
                case "scale":
                    if (value is YamlScalarNode { Value: { } s } && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && double.IsFinite(f) && f > 0)
                    {
                        scale = f;
                    }
                    else
                    {
                        reader.Error(value, "scale must be a positive number, e.g. 0.000000001 for nanoseconds to seconds");
                    }

                    break;
                case "series_limit":
                    seriesLimit = (int)(reader.Integer(value, "series_limit", 1, NodeReader.MaxSeriesLimit) ?? seriesLimit);
                    break;
                case "series_ttl":
                    seriesTtl = reader.Duration(value, "series_ttl", TimeSpan.FromSeconds(1), TimeSpan.FromDays(366));
                    break;
                case "labels":
                    labels = ReadLabels(value);
                    break;
                default:
                    reader.Unknown(keyNode, key, MetricKeys);
                    break;
            }
        }

        foreach (var required in new[] { "map", "name", "help" })
        {
            if (!map.Children.ContainsKey(required))
            {
                reader.Error(node, $"a metric needs '{required}'");
                ok = false;
            }
        }

        if (name is not null)
        {
            ok &= CheckNameFitsType(map.Children[new YamlScalarNode("name")], name, type);
        }

        if (type == MetricType.Histogram && sumMap is null && mapName is not null)
        {
            reader.Error(node, $"histogram {name} needs sum_map: a sum() map with the same keys as {mapName}, for a true _sum");
            ok = false;
        }

        if (type != MetricType.Histogram && sumMap is not null)
        {
            reader.Error(map.Children[new YamlScalarNode("sum_map")], "sum_map is only for type: histogram");
            ok = false;
        }

        if (NameRules.ReservedLabelOf(type) is { } reserved && labels.Any(l => l.Name == reserved))
        {
            var labelsNode = (YamlSequenceNode)map.Children[new YamlScalarNode("labels")];
            var at = labelsNode.Children.OfType<YamlMappingNode>()
                .Select(l => l.Children.TryGetValue(new YamlScalarNode("name"), out var n) ? n : null)
                .FirstOrDefault(n => n is YamlScalarNode { Value: { } v } && v == reserved) ?? labelsNode;
            reader.Error(at, $"label '{reserved}' is reserved in a {type.ToString().ToLowerInvariant()}: Prometheus writes it on the {(type == MetricType.Histogram ? "buckets" : "quantiles")} itself");
            ok = false;
        }

        if (labels.Count(l => l.Kind == LabelKind.Text) > 1)
        {
            reader.Error(map.Children[new YamlScalarNode("labels")], "at most one label of kind string per key: bpftrace joins key parts with ',' and two strings could not be told apart");
            ok = false;
        }

        if (!ok || mapName is null || name is null || help is null)
        {
            return null;
        }

        var metric = new MapMetricConfig
        {
            Map = mapName,
            Name = name,
            Help = help,
            Type = type,
            Labels = labels,
            Scale = scale,
            SumMap = sumMap,
            Update = update,
            SeriesLimit = seriesLimit,
            SeriesTtl = seriesTtl,
        };
        return (metric, map.Children.ContainsKey("update"));
    }

    /// <summary>
    /// <c>labels:</c> one entry per key part, <c>{name, kind}</c>; a part of kind cgroup names the labels it gives
    /// instead: <c>{kind: cgroup, labels: [cgroup, unit, container_id, pod_uid]}</c> (any of them; default cgroup).
    /// </summary>
    private List<LabelConfig> ReadLabels(YamlNode node)
    {
        var labels = new List<LabelConfig>();
        if (node is not YamlSequenceNode list)
        {
            reader.Error(node, "labels must be a list of {name, kind}");
            return labels;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in list.Children)
        {
            if (reader.Mapping(item, "a label") is not { } map)
            {
                continue;
            }

            string? name = null;
            YamlNode? cgroupLabels = null, nameNode = null;
            var kind = LabelKind.Number;
            var ok = true;
            foreach (var (keyNode, value) in map.Children)
            {
                switch (((YamlScalarNode)keyNode).Value)
                {
                    case "name":
                        name = reader.NonEmptyString(value, "label name");
                        nameNode = value;
                        if (name is not null && !NameRules.IsLabelName(name))
                        {
                            reader.Error(value, $"'{name}' is not a valid Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)");
                            ok = false;
                        }

                        break;
                    case "kind":
                        kind = Choice(value, "label kind", LabelKinds, ref ok);
                        break;
                    case "labels":
                        cgroupLabels = value;
                        break;
                    default:
                        reader.Unknown(keyNode, ((YamlScalarNode)keyNode).Value, "name, kind, labels");
                        ok = false;
                        break;
                }
            }

            if (!ok)
            {
                continue;
            }

            LabelConfig label;
            if (kind == LabelKind.Cgroup)
            {
                if (name is not null)
                {
                    reader.Error(item, $"a cgroup key part names its labels with labels: [{string.Join(", ", LabelConfig.CgroupLabelNames)}], not with name");
                    continue;
                }

                if (ReadCgroupLabels(cgroupLabels) is not { } names)
                {
                    continue;
                }

                label = LabelConfig.Cgroup(names);
            }
            else if (cgroupLabels is not null)
            {
                reader.Error(cgroupLabels, "labels: belongs to a key part of kind cgroup");
                continue;
            }
            else if (name is null)
            {
                reader.Error(item, "a label needs a name");
                continue;
            }
            else
            {
                label = new LabelConfig(name, kind);
            }

            foreach (var labelName in label.Names.Where(n => !seen.Add(n)))
            {
                reader.Error(nameNode ?? cgroupLabels ?? item, $"label '{labelName}' appears twice");
                ok = false;
            }

            if (ok)
            {
                labels.Add(label);
            }
        }

        return labels;
    }

    private List<string>? ReadCgroupLabels(YamlNode? node)
    {
        if (node is null)
        {
            return ["cgroup"];
        }

        var names = node is YamlSequenceNode { Children.Count: > 0 } list ? list.Children.Select(c => (c as YamlScalarNode)?.Value ?? "").ToList() : [];
        var wrong = names.FirstOrDefault(n => !LabelConfig.CgroupLabelNames.Contains(n));
        if (names.Count == 0 || wrong is not null || names.Distinct().Count() != names.Count)
        {
            reader.Error(node, $"labels of a cgroup key part must be some of: {string.Join(", ", LabelConfig.CgroupLabelNames)}, each once");
            return null;
        }

        return names;
    }

    private List<LineMetricConfig> ReadLines(YamlNode node)
    {
        var lines = new List<LineMetricConfig>();
        if (node is not YamlSequenceNode list)
        {
            reader.Error(node, "lines must be a list");
            return lines;
        }

        foreach (var item in list.Children)
        {
            if (reader.Mapping(item, "a line rule") is not { } map)
            {
                continue;
            }

            LinePattern? pattern = null;
            string? name = null, help = null;
            var limit = MapMetricConfig.DefaultSeriesLimit;
            TimeSpan? ttl = null;
            foreach (var (keyNode, value) in map.Children)
            {
                switch (((YamlScalarNode)keyNode).Value)
                {
                    case "regex":
                        if (reader.NonEmptyString(value, "regex") is { } text)
                        {
                            try
                            {
                                pattern = LinePattern.Parse(text);
                            }
                            catch (ArgumentException e)
                            {
                                reader.Error(value, $"invalid regular expression: {e.Message}");
                            }
                        }

                        break;
                    case "name":
                        name = MetricName(value);
                        if (name is not null)
                        {
                            CheckNameFitsType(value, name, MetricType.Counter);
                        }

                        break;
                    case "help":
                        help = reader.NonEmptyString(value, "help");
                        break;
                    case "series_limit":
                        limit = (int)(reader.Integer(value, "series_limit", 1, NodeReader.MaxSeriesLimit) ?? limit);
                        break;
                    case "series_ttl":
                        ttl = reader.Duration(value, "series_ttl", TimeSpan.FromSeconds(1), TimeSpan.FromDays(366));
                        break;
                    default:
                        reader.Unknown(keyNode, ((YamlScalarNode)keyNode).Value, LineKeys);
                        break;
                }
            }

            foreach (var required in new[] { "regex", "name", "help" })
            {
                if (!map.Children.ContainsKey(required))
                {
                    reader.Error(item, $"a line rule needs '{required}'");
                }
            }

            if (pattern is null || name is null || help is null)
            {
                continue;
            }

            var groups = pattern.GroupNames;
            var badGroup = groups.FirstOrDefault(g => !NameRules.IsLabelName(g));
            if (badGroup is not null)
            {
                reader.Error(map.Children[new YamlScalarNode("regex")], $"named group '{badGroup}' is not a valid Prometheus label name");
                continue;
            }

            lines.Add(new LineMetricConfig { Pattern = pattern, Name = name, Help = help, Labels = groups, SeriesLimit = limit, SeriesTtl = ttl });
        }

        return lines;
    }

    private string? ProbeNameOf(YamlNode node)
    {
        var name = reader.NonEmptyString(node, "probe name");
        if (name is not null && !NameRules.IsProbeName(name))
        {
            reader.Error(node, $"probe name '{name}' must be lowercase letters, digits and '_', starting with a letter");
            return null;
        }

        return name;
    }

    private string? MapName(YamlNode node, string what)
    {
        if (reader.NonEmptyString(node, what) is not { } text)
        {
            return null;
        }

        if (!NameRules.IsMapName(text))
        {
            reader.Error(node, $"{what} '{text}' is not a bpftrace map name such as @bytes");
            return null;
        }

        return text;
    }

    private string? MetricName(YamlNode node)
    {
        if (reader.NonEmptyString(node, "metric name") is not { } name)
        {
            return null;
        }

        if (!NameRules.IsMetricName(name))
        {
            reader.Error(node, $"'{name}' is not a valid Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)");
            return null;
        }

        if (!takenMetricNames.Add(name))
        {
            reader.Error(node, $"metric name '{name}' is already used (by another metric, a built-in or a self-metric)");
            return null;
        }

        if (NameRules.ReservedPrefixOf(name) is { } prefix)
        {
            reader.Error(node, $"metric name '{name}' starts with {prefix}, which is kept for the exporter's own and the process metrics");
            return null;
        }

        return name;
    }

    /// <summary>Prometheus conventions: counters end in _total; other types do not, nor in a histogram's own suffixes.</summary>
    private bool CheckNameFitsType(YamlNode node, string name, MetricType type)
    {
        if (type == MetricType.Counter && !name.EndsWith("_total", StringComparison.Ordinal))
        {
            reader.Error(node, $"counter '{name}' must end in _total");
            return false;
        }

        if (type != MetricType.Counter && (name.EndsWith("_total", StringComparison.Ordinal) || ReservedSuffixes.Any(s => name.EndsWith(s, StringComparison.Ordinal))))
        {
            reader.Error(node, $"{type.ToString().ToLowerInvariant()} '{name}' must not end in _total, _bucket, _count or _sum");
            return false;
        }

        return true;
    }

    private T Choice<T>(YamlNode node, string what, Dictionary<string, T> choices, ref bool ok)
    {
        if (node is YamlScalarNode { Value: { } text } && choices.TryGetValue(text, out var value))
        {
            return value;
        }

        reader.Error(node, $"{what} must be one of: {string.Join(", ", choices.Keys)}");
        ok = false;
        return choices.Values.First();
    }

    private static readonly Dictionary<string, MetricType> MetricTypes = new()
    {
        ["counter"] = MetricType.Counter,
        ["gauge"] = MetricType.Gauge,
        ["histogram"] = MetricType.Histogram,
        ["summary"] = MetricType.Summary,
    };

    private static readonly Dictionary<string, MapUpdate> Updates = new()
    {
        ["cumulative"] = MapUpdate.Cumulative,
        ["delta"] = MapUpdate.Delta,
    };

    private static readonly Dictionary<string, LabelKind> LabelKinds = new()
    {
        ["number"] = LabelKind.Number,
        ["string"] = LabelKind.Text,
        ["packed_name"] = LabelKind.PackedName,
        ["drop_reason"] = LabelKind.DropReason,
        ["interface"] = LabelKind.Interface,
        ["port"] = LabelKind.Port,
        ["cgroup"] = LabelKind.Cgroup,
    };
}
