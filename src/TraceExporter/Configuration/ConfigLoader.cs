using TraceExporter.Metrics;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace TraceExporter.Configuration;

/// <summary>
/// Reads and validates the YAML configuration, collecting every mistake with its file:line:column
/// before giving up, so a user fixes them all in one go.
/// </summary>
public static class ConfigLoader
{
    public static ExporterConfig Load(string path)
    {
        string text;
        try
        {
            text = RegularFile.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException([new ConfigError(path, 0, 0, $"cannot read the configuration file: {e.Message}")]);
        }

        return Parse(text, path);
    }

    public static ExporterConfig Parse(string text, string path)
    {
        var errors = new List<ConfigError>();
        var stream = YamlLoader.Load(text, path);

        var config = new ExporterConfig { SourcePath = path };
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return config; // an empty file means all defaults
        }

        var reader = new NodeReader(path, errors);
        if (reader.Mapping(stream.Documents[0].RootNode, "the configuration") is { } root)
        {
            foreach (var (keyNode, value) in root.Children)
            {
                var key = ((YamlScalarNode)keyNode).Value;
                switch (key)
                {
                    case "interval":
                        if (reader.Duration(value, key, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1)) is { } interval)
                        {
                            config = config with { Interval = interval };
                        }

                        break;
                    case "builtin":
                        config = config with { Builtins = ReadBuiltins(reader, value) };
                        break;
                    case "bpftrace":
                        config = config with { Bpftrace = ReadBpftrace(reader, value) };
                        break;
                    case "cgroups":
                        config = config with { Cgroups = ReadCgroups(reader, value) };
                        break;
                    case "probes":
                        var taken = BuiltinCatalogue.MetricNames.Concat(SelfMetricNames.All).ToHashSet(StringComparer.Ordinal);
                        var probes = new UserProbeReader(reader, path, taken);
                        config = config with { Probes = probes.ReadAll(value), StraceProbes = probes.StraceProbes };
                        break;
                    default:
                        reader.Unknown(keyNode, key, "interval, builtin, bpftrace, cgroups, probes");
                        break;
                }
            }
        }

        if (config.Bpftrace.RestartDelayMax < config.Bpftrace.RestartDelay)
        {
            errors.Add(new ConfigError(path, 0, 0, "bpftrace.restart_delay_max must not be shorter than bpftrace.restart_delay"));
        }

        if (errors.Count > 0)
        {
            throw new ConfigException(errors);
        }

        return config;
    }

    /// <summary>
    /// <c>builtin:</c> lists the built-ins to run, each <c>true</c>/<c>false</c> or a mapping of its options;
    /// those it does not name are off.
    /// </summary>
    private static List<BuiltinProbeConfig> ReadBuiltins(NodeReader reader, YamlNode node)
    {
        var result = BuiltinCatalogue.Names.Select(n => new BuiltinProbeConfig { Name = n, Enabled = false }).ToList();
        if (node is YamlScalarNode { Value: null or "" })
        {
            return result;
        }

        if (reader.Mapping(node, "builtin") is not { } map)
        {
            return result;
        }

        foreach (var (keyNode, value) in map.Children)
        {
            var name = ((YamlScalarNode)keyNode).Value ?? "";
            var index = result.FindIndex(p => p.Name == name);
            if (index < 0)
            {
                reader.Unknown(keyNode, name, string.Join(", ", BuiltinCatalogue.Names), "built-in probe");
                continue;
            }

            result[index] = ReadBuiltin(reader, value, result[index] with { Enabled = true });
        }

        return result;
    }

    private static BuiltinProbeConfig ReadBuiltin(NodeReader reader, YamlNode node, BuiltinProbeConfig probe)
    {
        var what = $"builtin.{probe.Name}";
        if (node is YamlScalarNode)
        {
            return reader.Boolean(node, what) is { } enabled ? probe with { Enabled = enabled } : probe;
        }

        if (reader.Mapping(node, what) is not { } map)
        {
            return probe;
        }

        var keys = probe.Name == BuiltinCatalogue.TcpAccepts ? "enabled, labels, series_limit, series_ttl, ephemeral_ports" : "enabled, labels, series_limit, series_ttl";
        foreach (var (keyNode, value) in map.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value;
            switch (key)
            {
                case "enabled":
                    probe = reader.Boolean(value, $"{what}.enabled") is { } enabled ? probe with { Enabled = enabled } : probe;
                    break;
                case "series_limit":
                    probe = reader.Integer(value, $"{what}.series_limit", 1, NodeReader.MaxSeriesLimit) is { } limit ? probe with { SeriesLimit = (int)limit } : probe;
                    break;
                case "labels":
                    probe = ReadBuiltinLabels(reader, value, what, probe.Name) is { } labels ? probe with { Labels = labels } : probe;
                    break;
                case "series_ttl":
                    probe = reader.Duration(value, $"{what}.series_ttl", TimeSpan.FromSeconds(1), TimeSpan.FromDays(366)) is { } ttl ? probe with { SeriesTtl = ttl } : probe;
                    break;
                case "ephemeral_ports" when probe.Name == BuiltinCatalogue.TcpAccepts:
                    if (value is YamlScalarNode { Value: "fold" or "keep" } choice)
                    {
                        probe = probe with { FoldEphemeralPorts = choice.Value == "fold" };
                    }
                    else
                    {
                        reader.Error(value, $"{what}.ephemeral_ports must be fold (one port=\"ephemeral\" series) or keep (one series per port)");
                    }

                    break;
                default:
                    reader.Unknown(keyNode, key, keys);
                    break;
            }
        }

        return probe;
    }

    /// <summary>A built-in's <c>labels: [comm, unit, …]</c>: names from its choices, each once, at least one.</summary>
    private static List<string>? ReadBuiltinLabels(NodeReader reader, YamlNode node, string what, string probe)
    {
        var choices = BuiltinCatalogue.LabelChoices[probe];
        if (node is not YamlSequenceNode { Children.Count: > 0 } list)
        {
            reader.Error(node, $"{what}.labels must be a list of some of: {string.Join(", ", choices)}");
            return null;
        }

        var labels = new List<string>();
        foreach (var item in list.Children)
        {
            if (item is YamlScalarNode { Value: { } name } && choices.Contains(name) && !labels.Contains(name))
            {
                labels.Add(name);
            }
            else
            {
                reader.Error(item, item is YamlScalarNode { Value: { } twice } && labels.Contains(twice)
                    ? $"{what}.labels: '{twice}' appears twice"
                    : $"{what}.labels: '{(item as YamlScalarNode)?.Value}' is not one of: {string.Join(", ", choices)}");
                return null;
            }
        }

        return labels;
    }

    private static CgroupSettings ReadCgroups(NodeReader reader, YamlNode node)
    {
        var settings = new CgroupSettings();
        if (reader.Mapping(node, "cgroups") is not { } map)
        {
            return settings;
        }

        foreach (var (keyNode, value) in map.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value;
            switch (key)
            {
                case "mount":
                    if (reader.NonEmptyString(value, "cgroups.mount") is { } mount)
                    {
                        if (Path.IsPathRooted(mount))
                        {
                            settings = settings with { Mount = mount };
                        }
                        else
                        {
                            reader.Error(value, "cgroups.mount must be an absolute path (the cgroup2 mount point, e.g. /sys/fs/cgroup)");
                        }
                    }

                    break;
                case "series_grace":
                    if (reader.Duration(value, "cgroups.series_grace", TimeSpan.FromSeconds(1), TimeSpan.FromDays(7)) is { } grace)
                    {
                        settings = settings with { SeriesGrace = grace };
                    }

                    break;
                default:
                    reader.Unknown(keyNode, key, "mount, series_grace");
                    break;
            }
        }

        return settings;
    }

    private static BpftraceSettings ReadBpftrace(NodeReader reader, YamlNode node)
    {
        var settings = new BpftraceSettings();
        if (reader.Mapping(node, "bpftrace") is not { } map)
        {
            return settings;
        }

        foreach (var (keyNode, value) in map.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value;
            switch (key)
            {
                case "path":
                    if (reader.NonEmptyString(value, "bpftrace.path") is { } path)
                    {
                        settings = settings with { Path = path };
                    }

                    break;
                case "buffer_pages":
                    if (reader.Integer(value, "bpftrace.buffer_pages", 1, 1 << 20) is { } pages)
                    {
                        settings = settings with { BufferPages = (int)pages };
                    }

                    break;
                case "max_map_keys":
                    if (reader.Integer(value, "bpftrace.max_map_keys", 1, NodeReader.MaxMapKeys) is { } keys)
                    {
                        settings = settings with { MaxMapKeys = (int)keys };
                    }

                    break;
                case "restart_delay":
                    if (reader.Duration(value, "bpftrace.restart_delay", TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10)) is { } delay)
                    {
                        settings = settings with { RestartDelay = delay };
                    }

                    break;
                case "restart_delay_max":
                    if (reader.Duration(value, "bpftrace.restart_delay_max", TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1)) is { } max)
                    {
                        settings = settings with { RestartDelayMax = max };
                    }

                    break;
                case "attach":
                    if (reader.Choice(value, "bpftrace.attach", ["auto", "tracepoint"]) is { } attach)
                    {
                        settings = settings with { Attach = attach == "auto" ? BuiltinAttach.Auto : BuiltinAttach.Tracepoint };
                    }

                    break;
                default:
                    reader.Unknown(keyNode, key, "path, buffer_pages, max_map_keys, attach, restart_delay, restart_delay_max");
                    break;
            }
        }

        return settings;
    }
}
