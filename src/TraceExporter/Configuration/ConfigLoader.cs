using TraceExporter.Metrics;
using TraceExporter.Probes;
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
                        config = config with { Builtin = ReadBuiltin(reader, value) };
                        break;
                    case "bpftrace":
                        config = config with { Bpftrace = ReadBpftrace(reader, value) };
                        break;
                    case "probes":
                        var taken = BuiltinProbeCatalogue.All.Select(p => p.MetricName).Concat(SelfMetricNames.All).ToHashSet(StringComparer.Ordinal);
                        var probes = new UserProbeReader(reader, path, taken);
                        config = config with { Probes = probes.ReadAll(value), StraceProbes = probes.StraceProbes };
                        break;
                    default:
                        reader.Unknown(keyNode, key, "interval, builtin, bpftrace, probes");
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

    private static Dictionary<string, bool> ReadBuiltin(NodeReader reader, YamlNode node)
    {
        var result = new Dictionary<string, bool>(StringComparer.Ordinal);
        if (reader.Mapping(node, "builtin") is not { } map)
        {
            return result;
        }

        foreach (var (keyNode, value) in map.Children)
        {
            var name = ((YamlScalarNode)keyNode).Value ?? "";
            if (!BuiltinProbeCatalogue.Names.Contains(name))
            {
                reader.Unknown(keyNode, name, string.Join(", ", BuiltinProbeCatalogue.Names), "built-in probe");
                continue;
            }

            if (reader.Boolean(value, $"builtin.{name}") is { } enabled)
            {
                result[name] = enabled;
            }
        }

        return result;
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
                default:
                    reader.Unknown(keyNode, key, "path, buffer_pages, restart_delay, restart_delay_max");
                    break;
            }
        }

        return settings;
    }
}
